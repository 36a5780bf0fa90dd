"""The frame of the directives the tests write for the made-up province Sơn Hà: issuer, number, place and
date above the heading, recipients and signature below the body, so each test writes only what it tests."""

from __future__ import annotations

DEPUTY = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"


def son_ha(number: str, dated: str, heading: str, body: str, *, signer: str = "Trần Văn Bình",
           signs_as: str = DEPUTY) -> str:
    """A directive of UBND tỉnh Sơn Hà, e.g. `son_ha("58/KH-UBND", "ngày 12 tháng 01 năm 2027",
    "KẾ HOẠCH\\nSố hóa hồ sơ đất đai", body)`."""
    return (f"ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: {number}\n\nSơn Hà, {dated}\n\n{heading}\n\n{body.strip()}\n\n"
            f"Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n{signs_as}\n\n{signer}\n")
