"""The Telegram front end's Vietnamese texts: commands, buttons, uploads, reminders, notices.

The wording of answers themselves (shared by the CLI and the bot) is in bot/answer_texts.py; the
two files together hold every user-facing string. Why: one consistent, polite tone ("anh/chị")
and few places to review or translate. Templates are
Telegram HTML: the fixed text here is already safe, and every `{placeholder}` must be filled with a
value escaped by `bot.formatting.esc` (the helpers in bot.formatting do that).
"""

from __future__ import annotations

# Commands shown in Telegram's menu (setMyCommands); descriptions are plain text, not HTML.
COMMANDS: list[tuple[str, str]] = [
    ("hoi", "Đặt câu hỏi về văn bản chỉ đạo"),
    ("hanchot", "Các hạn chót sắp tới (theo thời gian hoặc cơ quan)"),
    ("quahan", "Các nhiệm vụ đã quá hạn"),
    ("muctieu", "Chỉ tiêu, mục tiêu theo chủ đề"),
    ("coquan", "Nhiệm vụ của một cơ quan"),
    ("vanban", "Danh sách văn bản đã nạp"),
    ("lich", "Tải lịch hạn chót (.ics)"),
    ("theodoi", "Nhận nhắc hạn và thông báo văn bản mới"),
    ("huytheodoi", "Ngừng nhận nhắc hạn"),
    ("xong", "Đánh dấu nhiệm vụ đã hoàn thành"),
    ("baocao", "Báo cáo tiến độ nhiệm vụ (.xlsx)"),
    ("tiendo", "Biểu đồ tiến độ theo cơ quan"),
    ("help", "Hướng dẫn sử dụng"),
]

START = (
    "<b>Xin chào anh/chị!</b>\n\n"
    "Tôi là trợ lý tra cứu văn bản chỉ đạo về các Chương trình mục tiêu quốc gia: "
    "hạn chót, nhiệm vụ của từng cơ quan, chỉ tiêu và kết quả. Mỗi câu trả lời đều kèm "
    "trích dẫn văn bản gốc để anh/chị đối chiếu.\n\n"
    "Anh/chị cứ gõ câu hỏi, ví dụ: <i>Sở Tài chính phải báo cáo giải ngân trước ngày nào?</i>\n"
    "Gõ /help để xem các lệnh."
)

HELP = (
    "<b>Hướng dẫn sử dụng</b>\n\n"
    "Anh/chị có thể gõ câu hỏi trực tiếp (có dấu hoặc không dấu), ví dụ:\n"
    "• <i>Hạn giải ngân vốn năm 2026 là khi nào?</i>\n"
    "• <i>Chỉ tiêu tỷ lệ hộ nghèo năm 2027 là bao nhiêu?</i>\n\n"
    "<b>Các lệnh</b>\n"
    "/hoi &lt;câu hỏi&gt; – đặt câu hỏi (dùng trong nhóm), ví dụ: <code>/hoi hạn giải ngân vốn</code>\n"
    "/hanchot [thời gian | cơ quan] – hạn chót sắp tới (mặc định 14 ngày tới), ví dụ: "
    "<code>/hanchot tháng 12</code>, <code>/hanchot Sở Tài chính</code>\n"
    "/quahan [cơ quan] – nhiệm vụ đã quá hạn, ví dụ: <code>/quahan UBND các huyện</code>\n"
    "/muctieu [chủ đề] – chỉ tiêu, mục tiêu, ví dụ: <code>/muctieu nông thôn mới</code>\n"
    "/coquan &lt;tên&gt; – nhiệm vụ của một cơ quan, ví dụ: <code>/coquan Sở Nông nghiệp và Môi trường</code>\n"
    "/vanban – danh sách văn bản đã nạp, mới nhất trước\n"
    "/lich [cơ quan] – tải tệp lịch .ics để thêm hạn chót vào Google Calendar, Outlook…\n"
    "/theodoi [cơ quan] – nhận nhắc hạn mỗi sáng và thông báo khi có văn bản mới, ví dụ: "
    "<code>/theodoi Sở Tài chính</code>\n"
    "/huytheodoi – ngừng nhận nhắc hạn\n"
    "/xong – các nhiệm vụ đang mở của cơ quan mà cuộc trò chuyện theo dõi, kèm nút ✅ Đã xong\n"
    "/baocao [cơ quan] [tháng 11/2026 | quý IV/2026] – bảng theo dõi tiến độ (.xlsx), mặc định tháng này\n"
    "/tiendo [cơ quan] [thời gian] – biểu đồ trạng thái nhiệm vụ theo cơ quan\n\n"
    "Dưới mỗi câu trả lời có nút 👍 / 👎 để anh/chị góp ý.\n\n"
    "<b>Trong nhóm</b>: dùng /hoi, nhắc tên {mention} hoặc trả lời tin nhắn của tôi.\n"
    "<b>Quản trị viên</b>: gửi tệp .txt, .doc, .docx, .pdf hoặc ảnh chụp văn bản (trong chat riêng) để nạp văn bản mới; "
    "/reindex để lập lại toàn bộ chỉ mục."
)

# ---- questions and answers
ASK_USAGE = "Anh/chị vui lòng nhập câu hỏi sau lệnh, ví dụ: <code>/hoi hạn giải ngân vốn năm 2026</code>"
ASK_EMPTY_MENTION = "Anh/chị cần hỏi gì ạ? Ví dụ: <i>{mention} hạn giải ngân vốn là khi nào?</i>"
AGENCY_USAGE = "Anh/chị vui lòng nhập tên cơ quan, ví dụ: <code>/coquan Sở Tài chính</code>"
RATE_LIMITED = (
    "Anh/chị đã hỏi khá nhiều trong một phút qua (tối đa {limit} câu/phút). "
    "Vui lòng thử lại sau khoảng {seconds} giây."
)
SOURCES_TITLE = "📚 <b>Nguồn trích dẫn</b>"
SOURCES_FULL_TITLE = "📚 <b>Nguồn trích dẫn đầy đủ</b>"
MORE_TITLE = "<b>Kết quả tiếp theo</b>"
NO_SOURCES = "Câu trả lời này không có trích dẫn."
BUTTON_MORE = "Thêm"
BUTTON_SOURCES = "Xem nguồn"
UNKNOWN_COMMAND = "Tôi chưa hiểu lệnh này. Anh/chị gõ /help để xem các lệnh, hoặc gõ câu hỏi trực tiếp."
CALLBACK_EXPIRED = "Nội dung này đã hết hạn, anh/chị vui lòng hỏi lại."
ERROR = "Xin lỗi anh/chị, hệ thống đang gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau ít phút."

# ---- agencies, subscriptions, calendar
AGENCY_NOT_FOUND = (
    "Không tìm thấy cơ quan «{query}» trong các văn bản đã nạp. "
    "Anh/chị vui lòng kiểm tra lại tên, ví dụ: <i>Sở Tài chính</i>, <i>UBND các huyện, thành phố</i>."
)
SUBSCRIBED_ALL = (
    "✅ Đã đăng ký nhận nhắc hạn cho cuộc trò chuyện này (tất cả cơ quan).\n"
    "Tôi sẽ nhắc trước hạn 7 ngày, 3 ngày, 1 ngày, đúng ngày hạn và khi quá hạn, "
    "vào khoảng {time} hằng ngày; đồng thời báo khi có văn bản mới. Gõ /huytheodoi để ngừng."
)
SUBSCRIBED_AGENCY = (
    "✅ Đã đăng ký nhận nhắc hạn của <b>{agency}</b> cho cuộc trò chuyện này.\n"
    "Tôi sẽ nhắc trước hạn 7 ngày, 3 ngày, 1 ngày, đúng ngày hạn và khi quá hạn, "
    "vào khoảng {time} hằng ngày; đồng thời báo khi có văn bản mới liên quan. Gõ /huytheodoi để ngừng."
)
UNSUBSCRIBED = "Đã hủy nhận nhắc hạn cho cuộc trò chuyện này. Gõ /theodoi khi anh/chị muốn nhận lại."
NOT_SUBSCRIBED = "Cuộc trò chuyện này chưa đăng ký nhận nhắc hạn. Gõ /theodoi để đăng ký."
CALENDAR_CAPTION = "📅 Lịch {count} hạn chót trong 12 tháng tới{scope}. Mở tệp để thêm vào ứng dụng lịch."
CALENDAR_SCOPE = " của {agency}"
CALENDAR_EMPTY = "Không có hạn chót nào trong 12 tháng tới{scope}."
# Calendar names shown in the user's calendar app (plain text, not HTML).
CALENDAR_NAME = "Hạn chót văn bản chỉ đạo"
CALENDAR_NAME_AGENCY = "Hạn chót – {agency}"
UPLOAD_PROGRESS = "⏳ «{name}»: đang nhận dạng chữ, trang {done}/{total}…"
UPLOAD_OCR = "🔎 Văn bản được đọc bằng nhận dạng chữ (độ tin cậy trung bình {confidence}%)."
UPLOAD_OCR_LOW = "⚠️ Anh/chị nên kiểm tra lại trang {pages}: chữ nhận dạng được kém rõ."
UPLOAD_LEGACY = "🔤 Văn bản gõ bằng phông cũ ({encoding}) đã được chuyển sang Unicode."

# ---- reminders and notifications
REMINDER_TITLE = "🔔 <b>Nhắc hạn ngày {date}</b>"
REMINDER_TITLE_AGENCY = "🔔 <b>Nhắc hạn ngày {date}</b> – {agency}"
REMINDER_NO_AGENCY = "Chưa rõ cơ quan chủ trì"
REMINDER_MORE = "… và {n} việc khác sẽ được nhắc ở các lần sau; gõ /hanchot hoặc /quahan để xem đủ."
STAGE_D0 = "Hôm nay"
STAGE_D1 = "Ngày mai"
STAGE_DAYS = "Còn {days} ngày"
STAGE_OVERDUE = "Quá hạn {days} ngày"
REMINDER_DONE_HINT = "<i>Việc nào đã làm xong, anh/chị bấm nút ✅ Đã xong tương ứng.</i>"
NEW_DOCUMENT = "📢 <b>Văn bản mới</b>: {source}"
NEW_DOCUMENT_TITLE = "<i>{title}</i>"
NEW_DOCUMENT_NEAREST = "<b>Hạn gần nhất:</b>"
NEW_DOCUMENT_NO_DEADLINE = "Văn bản không có hạn chót sắp tới."
NEW_DOCUMENT_HINT = "Gõ /hanchot hoặc đặt câu hỏi để xem chi tiết."

# ---- admin: uploads and reindex
ADMIN_ONLY = "Xin lỗi, chỉ quản trị viên mới dùng được chức năng này."
UPLOAD_NOT_ADMIN = (
    "Cảm ơn anh/chị đã gửi tệp. Hiện chỉ quản trị viên mới được nạp văn bản mới; "
    "anh/chị vui lòng gửi văn bản cho quản trị viên của hệ thống."
)
UPLOAD_TOO_LARGE = "❌ Tệp «{name}» quá lớn ({size} MB, tối đa {limit} MB). Dữ liệu hiện có không thay đổi."
UPLOAD_RECEIVED = "⏳ Đã nhận tệp «{name}», đang đọc và trích xuất…"
UPLOAD_OK = "✅ <b>Đã nạp văn bản</b>: {source}"
UPLOAD_TITLE = "Trích yếu: <i>{title}</i>"
UPLOAD_COUNTS = "Tìm thấy: {deadlines} hạn chót, {targets} chỉ tiêu, {results} kết quả."
# What needs a person's eye after an upload (knowledge.review kinds), then one quote per line.
UPLOAD_REVIEW = {
    "no_agency": "⚠️ {count} hạn chót chưa rõ cơ quan",
    "year_inferred": "⚠️ {count} hạn chót phải suy ra năm",
    "relative": "⚠️ {count} thời hạn tính từ một sự kiện (không nhắc tự động)",
}
UPLOAD_REVIEW_QUOTE = "   • «{quote}»"
UPLOAD_REVIEW_MORE = "   • … và {count} mục khác"
UPLOAD_NOTIFYING = "Đang gửi thông báo văn bản mới tới {count} cuộc trò chuyện đang theo dõi."
UPLOAD_REJECTED = "❌ Không nạp được tệp «{name}»: {reason}\nDữ liệu hiện có không thay đổi."
REJECT_REASONS: dict[str, str] = {
    "empty": "tệp rỗng, không có nội dung.",
    "too_large": "tệp quá lớn so với giới hạn cho phép.",
    "binary": "tệp có vẻ là dữ liệu nhị phân, không phải văn bản.",
    "no_text": "không nhận dạng được chữ trong tệp (trang trắng, ảnh mờ hoặc không phải văn bản). "
               "Anh/chị vui lòng chụp hoặc quét lại rõ hơn, hoặc gửi tệp .docx.",
    "zip_bomb": "tệp .docx có cấu trúc bất thường (giải nén quá lớn), không thể xử lý an toàn.",
    "corrupt": "tệp bị hỏng hoặc không mở được.",
    "unsupported": "định dạng chưa được hỗ trợ. Vui lòng gửi tệp .txt, .doc, .docx, .pdf hoặc ảnh .jpg, .png.",
    "encrypted": "tệp PDF được đặt mật khẩu. Anh/chị vui lòng gửi bản không đặt mật khẩu.",
    "ocr_unavailable": "máy chủ chưa cài bộ nhận dạng chữ (OCR) nên chưa đọc được bản scan hoặc ảnh chụp. "
                       "Anh/chị vui lòng gửi tệp có lớp chữ (.docx, .pdf) hoặc báo quản trị viên.",
    "doc_unavailable": "máy chủ chưa cài công cụ đọc tệp Word cũ (.doc). Anh/chị vui lòng lưu lại thành .docx "
                       "rồi gửi lại.",
    "bad_name": "tên tệp không hợp lệ. Vui lòng đổi tên tệp (chữ, số, dấu gạch ngang) rồi gửi lại.",
    "not_directive": "tệp không có dấu hiệu nào của một văn bản chỉ đạo (cơ quan ban hành, số, ngày, loại "
                     "văn bản, cơ quan được giao việc, nhiệm vụ có thời hạn hay chỉ tiêu).",
}
REJECT_UNKNOWN = "không xử lý được tệp này."
# The same directive again, or a new version of a stored one: nothing is written until confirmed.
UPLOAD_DUPLICATE = "ℹ️ Văn bản này đã có ({source}), nội dung không khác. Thay thế?"
UPLOAD_NEW_VERSION = "ℹ️ Văn bản này đã có ({source}) với nội dung khác. Thay thế bằng bản mới?"
UPLOAD_NOT_DIRECTIVE = "⚠️ Tệp «{name}» không giống một văn bản chỉ đạo: {reason} Anh/chị vẫn muốn lưu?"
BUTTON_REPLACE = "Thay thế"
BUTTON_STORE_ANYWAY = "Vẫn lưu"
BUTTON_CANCEL = "Hủy"
UPLOAD_CANCELLED = "Đã hủy. Dữ liệu hiện có không thay đổi."
UPLOAD_REPLACED = "✅ <b>Đã thay thế văn bản</b>: {source}"
UPLOAD_CHANGES_NONE = "Các hạn chót không thay đổi."
UPLOAD_CHANGES_ADDED = "➕ Hạn chót mới ({count}):"
UPLOAD_CHANGES_REMOVED = "➖ Hạn chót bỏ ({count}):"
UPLOAD_CHANGE_LINE = "   • {line}"
UPDATED_DOCUMENT = "📝 <b>Văn bản được cập nhật</b>: {source}"
REINDEX_STARTED = "⏳ Đang lập lại chỉ mục từ các văn bản đã lưu. Trong lúc này tôi vẫn trả lời câu hỏi bình thường."
REINDEX_BUSY = "Đang có một lượt nạp văn bản hoặc lập chỉ mục chạy, anh/chị vui lòng đợi ít phút."
REINDEX_DONE = "✅ Đã lập lại chỉ mục xong sau {seconds} giây.{counts}"
REINDEX_FAILED = "❌ Lập lại chỉ mục không thành công; chỉ mục cũ vẫn được dùng. Chi tiết đã được ghi vào nhật ký."
COUNT_LABELS: dict[str, str] = {
    "documents": "văn bản",
    "sections": "mục",
    "passages": "đoạn",
    "chunks": "đoạn",
    "deadlines": "hạn chót",
    "targets": "chỉ tiêu",
    "results": "kết quả",
    "agencies": "cơ quan",
}

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# ---- tracking duties to completion (/xong, the buttons under reminders)
BUTTON_DONE = "✅ Đã xong"
BUTTON_UNDO = "↩️ Hoàn tác"
DONE_LIST_TITLE = "📋 <b>Nhiệm vụ đang mở</b>{scope} (quá hạn và đến hạn trong {days} ngày tới)"
DONE_LIST_SCOPE = " – {agency}"
DONE_LIST_EMPTY = "✅ Không còn nhiệm vụ nào đang mở{scope} (quá hạn hoặc đến hạn trong {days} ngày tới)."
DONE_LIST_HINT = "<i>Bấm ✅ Đã xong khi việc đã hoàn thành; bấm ↩️ Hoàn tác nếu đánh dấu nhầm.</i>"
DONE_LIST_MORE = "… và {n} nhiệm vụ khác; gõ /baocao để xem đủ."
DONE_NOT_SUBSCRIBED = (
    "Cuộc trò chuyện này chưa theo dõi cơ quan nào. Anh/chị gõ <code>/theodoi Tên cơ quan</code> "
    "để nhận nhắc hạn và đánh dấu nhiệm vụ đã hoàn thành."
)
DONE_MARKED = "✅ {who} đã hoàn thành «{task}» (hạn {due}) — đánh dấu bởi {name}"
DONE_MARKED_LATE = "✅ {who} đã hoàn thành «{task}» (hạn {due}, hoàn thành quá hạn) — đánh dấu bởi {name}"
DONE_NOTE_PROMPT = "Anh/chị có thể trả lời tin nhắn này bằng ghi chú (ví dụ số văn bản báo cáo đã gửi)."
DONE_UNDONE = "↩️ «{task}» (hạn {due}) được chuyển lại thành chưa hoàn thành — bởi {name}"
DONE_NOTE_SAVED = "📝 Đã lưu ghi chú cho «{task}»."
DONE_TOAST = "Đã đánh dấu hoàn thành."
UNDO_TOAST = "Đã hoàn tác."
DONE_ALREADY = "Việc này đã được đánh dấu hoàn thành rồi."
UNDO_NOTHING = "Việc này hiện chưa được đánh dấu hoàn thành."
DONE_NOT_ALLOWED = (
    "Xin lỗi, chỉ thành viên của nhóm theo dõi cơ quan phụ trách việc này (hoặc quản trị viên) "
    "mới đánh dấu được."
)
DUTY_NO_AGENCY = "Chưa rõ cơ quan"

# ---- reports: /baocao (.xlsx) and /tiendo (chart)
REPORT_CAPTION = "📊 Báo cáo tiến độ {period}{scope}: {count} nhiệm vụ, {done} đã hoàn thành, {overdue} quá hạn."
REPORT_SCOPE = " – {agency}"
REPORT_EMPTY = "Không có nhiệm vụ nào đến hạn {period}{scope}."
REPORT_PERIOD = "từ {start} đến {end}"
PROGRESS_CAPTION = "📈 Tiến độ nhiệm vụ theo cơ quan {period}{scope}."
PROGRESS_TITLE = "Tiến độ nhiệm vụ {period}"
PROGRESS_XLABEL = "Số nhiệm vụ"
PROGRESS_OTHERS = "Các cơ quan khác"
# Workbook texts (plain, not HTML).
XLSX_SHEET_DUTIES = "Nhiệm vụ"
XLSX_SHEET_SUMMARY = "Tổng hợp"
XLSX_HEADERS = (
    "STT", "Văn bản", "Mục", "Cơ quan chủ trì", "Cơ quan phối hợp", "Nhiệm vụ", "Hạn", "Trạng thái",
    "Ngày hoàn thành", "Người đánh dấu", "Ghi chú",
)
XLSX_SUMMARY_AGENCY = "Cơ quan chủ trì"
XLSX_SUMMARY_TOTAL = "Tổng số"
XLSX_SUMMARY_ON_TIME = "Tỷ lệ đúng hạn"
XLSX_SUMMARY_ALL = "Tất cả cơ quan"

# ---- feedback on answers
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"
FEEDBACK_THANKS = "Cảm ơn anh/chị đã góp ý!"
FEEDBACK_ASK_COMMENT = (
    "Cảm ơn anh/chị. Câu trả lời chưa đúng hoặc thiếu ở đâu? Anh/chị có thể gửi một dòng góp ý "
    "(trả lời tin nhắn này), hoặc gõ một lệnh bất kỳ để bỏ qua."
)
FEEDBACK_COMMENT_SAVED = "📝 Đã ghi nhận góp ý, cảm ơn anh/chị!"
