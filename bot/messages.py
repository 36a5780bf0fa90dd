"""The Telegram front end's Vietnamese texts: commands, buttons, uploads, reminders, notices.

The wording of answers themselves (shared by the CLI and the bot) is in bot/answering/answer_texts.py; the
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
    ("duyet", "Kiểm tra nhiệm vụ bot chưa chắc (quản trị viên)"),
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
    "/reindex để lập lại toàn bộ chỉ mục; /duyet [văn bản] để xác nhận hoặc sửa các nhiệm vụ bot chưa chắc "
    "(nhiệm vụ chưa được xác nhận sẽ chưa được nhắc)."
)

# ---- questions and answers
ASK_USAGE = "Anh/chị vui lòng nhập câu hỏi sau lệnh, ví dụ: <code>/hoi hạn giải ngân vốn năm 2026</code>"
ASK_EMPTY_MENTION = "Anh/chị cần hỏi gì ạ? Ví dụ: <i>{mention} hạn giải ngân vốn là khi nào?</i>"
AGENCY_USAGE = "Anh/chị vui lòng nhập tên cơ quan, ví dụ: <code>/coquan Sở Tài chính</code>"
RATE_LIMITED = (
    "Anh/chị đã hỏi khá nhiều trong một phút qua (tối đa {limit} câu/phút). "
    "Vui lòng thử lại sau khoảng {seconds} giây."
)
# Every further question inside the same window: short, so a burst is not answered with a wall of text.
RATE_LIMITED_AGAIN = "Câu hỏi này chưa được trả lời. Anh/chị vui lòng gửi lại sau khoảng {seconds} giây."
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
# Who subscribed a chat matters: a bot admin naming one agency links the chat to it (its members may mark
# that agency's duties done); anyone else's subscription only brings reminders.
SUBSCRIBED_LINKED = (
    "🔗 Cuộc trò chuyện này được liên kết với <b>{agency}</b>: thành viên có thể bấm ✅ Đã xong "
    "cho nhiệm vụ của cơ quan này và xem /baocao của cơ quan."
)
SUBSCRIBED_NOT_LINKED = (
    "<i>Để thành viên đánh dấu nhiệm vụ đã hoàn thành, quản trị viên hệ thống cần gõ "
    "<code>/theodoi Tên cơ quan</code> trong cuộc trò chuyện này.</i>"
)
SUBSCRIPTION_CHANGE_NOT_ALLOWED = (
    "Nhóm này đã đăng ký nhận nhắc hạn{scope}. Chỉ người đã đăng ký, quản trị viên của nhóm "
    "hoặc quản trị viên hệ thống mới thay đổi được."
)
SUBSCRIPTION_SCOPE_ALL = " (tất cả cơ quan)"
SUBSCRIPTION_SCOPE_AGENCY = " của <b>{agency}</b>"
UNSUBSCRIBE_NOT_ALLOWED = (
    "Xin lỗi, chỉ người đã đăng ký nhắc hạn cho nhóm này, quản trị viên của nhóm "
    "hoặc quản trị viên hệ thống mới hủy được."
)
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
    "pdf_bomb": "tệp PDF có cấu trúc bất thường (dữ liệu nén giải ra quá lớn), không thể xử lý an toàn.",
    "too_long": "văn bản quá dài để xử lý trong một lần. Anh/chị vui lòng tách thành các văn bản nhỏ hơn "
                "(ví dụ: văn bản chính và từng phụ lục) rồi gửi lại.",
    "too_many_facts": "văn bản có quá nhiều thời hạn hoặc mục để theo dõi trong một lần nạp. Anh/chị vui lòng "
                      "tách thành các văn bản nhỏ hơn (ví dụ: từng phụ lục) rồi gửi lại.",
    "corrupt": "tệp bị hỏng hoặc không mở được.",
    "unsupported": "định dạng chưa được hỗ trợ. Vui lòng gửi tệp .txt, .doc, .docx, .pdf hoặc ảnh .jpg, .png.",
    "encrypted": "tệp PDF được đặt mật khẩu. Anh/chị vui lòng gửi bản không đặt mật khẩu.",
    "ocr_unavailable": "máy chủ chưa cài bộ nhận dạng chữ (OCR) nên chưa đọc được bản scan hoặc ảnh chụp. "
                       "Anh/chị vui lòng gửi tệp có lớp chữ (.docx, .pdf) hoặc báo quản trị viên.",
    "doc_unavailable": "máy chủ chưa cài công cụ đọc tệp Word cũ (.doc). Anh/chị vui lòng lưu lại thành .docx "
                       "rồi gửi lại.",
    "bad_name": "tên tệp không hợp lệ. Vui lòng đổi tên tệp (chữ, số, dấu gạch ngang) rồi gửi lại.",
    "not_directive": "tệp không có dấu hiệu của một văn bản chỉ đạo: không có phần đầu văn bản (cơ quan ban "
                     "hành, số, địa danh và ngày tháng, tên loại văn bản, Kính gửi, Nơi nhận) và cũng không có "
                     "câu nào giao việc cho một cơ quan kèm thời hạn.",
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
# The bot stopped while an upload was being stored and indexed; told at the next start.
UPLOAD_RESUMED = ("✅ Văn bản «{name}» đã được lưu trước khi bot khởi động lại; bot đã lập chỉ mục xong, "
                  "có thể hỏi đáp về văn bản này.")
UPLOAD_LOST = ("⚠️ Việc nạp «{name}» bị gián đoạn do bot khởi động lại trước khi lưu; dữ liệu hiện có không "
               "thay đổi. Anh/chị vui lòng gửi lại tệp.")
UPLOAD_REPLACED = "✅ <b>Đã thay thế văn bản</b>: {source}"
# `Thay thế` pressed on a file whose content is the stored one's: nothing written, nobody notified.
UPLOAD_NOTHING_CHANGED = ("ℹ️ Tệp «{name}» có nội dung giống văn bản đã lưu ({source}), nên không có gì thay đổi. "
                          "Không gửi thông báo tới các cuộc trò chuyện đang theo dõi.")
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
OPEN_ROLE_COOPERATING = "phối hợp"
OPEN_NEEDS_REVIEW = "chưa xác nhận"
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
# A button alert (plain text, at most 200 characters).
DONE_NOT_LINKED = (
    "Xin lỗi, chỉ quản trị viên hệ thống hoặc nhóm được quản trị viên liên kết với cơ quan phụ trách "
    "việc này mới đánh dấu được."
)
DONE_LIST_NOT_LINKED = (
    "Cuộc trò chuyện này nhận nhắc hạn{scope} nhưng chưa được quản trị viên hệ thống liên kết với cơ quan nào, "
    "nên chưa đánh dấu hoàn thành được. Anh/chị đề nghị quản trị viên gõ <code>/theodoi Tên cơ quan</code> "
    "trong cuộc trò chuyện này để liên kết."
)
DUTY_NO_AGENCY = "Chưa rõ cơ quan"

# ---- reports: /baocao (.xlsx) and /tiendo (chart)
REPORT_CAPTION = "📊 Báo cáo tiến độ {period}{scope}: {count} nhiệm vụ, {done} đã hoàn thành, {overdue} quá hạn."
REPORT_SCOPE = " – {agency}"
REPORT_EMPTY = "Không có nhiệm vụ nào đến hạn {period}{scope}."
REPORT_PERIOD = "từ {start} đến {end}"
REPORT_NOT_ALLOWED_ALL = (
    "Xin lỗi, báo cáo tiến độ của tất cả cơ quan chỉ dành cho quản trị viên hệ thống. Nhóm được quản trị viên "
    "liên kết với một cơ quan xem được báo cáo của cơ quan đó: <code>/baocao Tên cơ quan</code>."
)
REPORT_NOT_ALLOWED_AGENCY = (
    "Xin lỗi, báo cáo tiến độ của <b>{agency}</b> chỉ dành cho quản trị viên hệ thống "
    "và nhóm được quản trị viên liên kết với cơ quan này."
)
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

# ---- review: the office confirms or corrects what the bot understood (/duyet, buttons after an upload)
REVIEW_TITLE = "🔎 <b>Cần anh/chị kiểm tra</b> ({count} mục) – {source}"
REVIEW_ITEM = "{mark} <b>{due}</b> – {agencies}\n«{quote}»\n<i>Độ tin cậy {confidence}: {why}</i>"
REVIEW_ORPHAN_ITEM = ("♻️ <b>Chỉnh sửa cũ không còn khớp</b> (văn bản đã thay đổi): {due} – {agencies}\n«{quote}»\n"
                      "Anh/chị bấm 🗑 để bỏ chỉnh sửa này, rồi duyệt lại nhiệm vụ mới.")
REVIEW_NO_AGENCY = "(chưa rõ cơ quan)"
REVIEW_MORE = "… và {n} mục khác. Gõ /duyet {doc} để xem tiếp sau khi duyệt các mục trên."
REVIEW_NOTHING = "✅ Không còn nhiệm vụ nào chờ kiểm tra{scope}."
REVIEW_NO_DOCUMENT = "Không tìm thấy văn bản «{query}» trong kho. Gõ /vanban để xem danh sách."
REVIEW_ADMIN_ONLY = "Chỉ quản trị viên của văn phòng mới được xác nhận hoặc sửa nhiệm vụ."
BUTTON_REVIEW_OK = "✅ Đúng"
BUTTON_REVIEW_AGENCY = "✏️ Cơ quan"
BUTTON_REVIEW_DUE = "📅 Hạn"
BUTTON_REVIEW_DROP = "🗑 Không phải nhiệm vụ"
BUTTON_REVIEW_DISMISS = "🗑 Bỏ chỉnh sửa cũ"
REVIEW_CONFIRMED = "✅ Đã xác nhận: {due} – {agencies}."
REVIEW_DROPPED = "🗑 Đã bỏ: mục này không còn được coi là nhiệm vụ."
REVIEW_DISMISSED = "🗑 Đã bỏ chỉnh sửa cũ."
REVIEW_CORRECTED = "✏️ Đã sửa: {due} – {agencies}. Nhắc việc sẽ theo nội dung mới."
REVIEW_PICK_AGENCY = ("Chọn cơ quan chủ trì đúng, hoặc <b>trả lời tin nhắn này</b> bằng tên cơ quan "
                      "(nhiều cơ quan: ngăn cách bằng dấu chấm phẩy).")
REVIEW_ASK_DUE = ("<b>Trả lời tin nhắn này</b> bằng thời hạn đúng, ví dụ: 15/5/2026, tháng 6/2026, quý III/2026, "
                  "hằng tháng ngày 5.")
REVIEW_BAD_DUE = "Chưa hiểu thời hạn «{value}». Anh/chị thử lại, ví dụ: 15/5/2026, tháng 6/2026, hằng tháng ngày 5."
REVIEW_EXPIRED = "Mục này đã được duyệt hoặc đã hết hạn. Gõ /duyet để xem danh sách mới."
REVIEW_DIGEST = ("🔎 <b>Cần xác nhận</b>: {count} nhiệm vụ chưa được nhắc vì bot chưa chắc về cơ quan hoặc thời hạn.\n"
                 "{lines}\nGõ /duyet để kiểm tra; nhiệm vụ được xác nhận hoặc sửa sẽ được nhắc như bình thường.")
REVIEW_DIGEST_LINE = "• {source}: {count} mục"
REVIEW_UPLOAD_HINT = "Các mục dưới đây cần anh/chị kiểm tra trước khi bot nhắc việc:"
