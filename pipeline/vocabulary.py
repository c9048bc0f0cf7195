"""Word lists of the genre, shared by segmentation and extraction (each defined once).

Segmentation uses them to tell which line is which (a type heading, a position line, a
place); extraction uses the same lists to interpret those lines.  Lists are in the
spelling printed in documents; matching code compares them on `skeleton()`.
"""

from __future__ import annotations

import re

from pipeline.vietnamese import skeleton

DOC_TYPES = (
    "KẾ HOẠCH",
    "QUYẾT ĐỊNH",
    "BÁO CÁO",
    "CHƯƠNG TRÌNH HÀNH ĐỘNG",
    "CHƯƠNG TRÌNH",
    "CHỈ THỊ",
    "HƯỚNG DẪN",
    "THÔNG BÁO",
    "TỜ TRÌNH",
    "CÔNG ĐIỆN",
    "NGHỊ QUYẾT",
    "KẾT LUẬN",
    "ĐỀ ÁN",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "CÔNG VĂN",
    "GIẤY MỜI",
    "BIÊN BẢN",
    "PHƯƠNG ÁN",
    "THÔNG TƯ",
    "NGHỊ ĐỊNH",
)
"""Type headings printed above a document's title (Nghị định 30/2020/NĐ-CP, Phụ lục III)."""

LETTER_TYPE = "Công văn"
"""The type of a letter that prints no type heading (`Số: …/UBND-VX` and `V/v …`)."""

ADMIN_LEVELS = (
    "thành phố",
    "đặc khu",
    "thị xã",
    "thị trấn",
    "tỉnh",
    "huyện",
    "quận",
    "xã",
    "phường",
)
"""Administrative levels written before a place name (`tỉnh Lai Châu`), longest first."""

ADMIN_LEVEL_SK = tuple(skeleton(w) for w in ADMIN_LEVELS)

ADMIN_LEVEL_PATTERN = "|".join(w.replace(" ", r"\s+") for w in ADMIN_LEVELS)
"""`ADMIN_LEVELS` as a regex alternation (lower case, with the document's marks)."""

CENTRAL_CITIES = ("hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế")
"""Centrally-run cities: a bare place name among these is a `thành phố`, others a `tỉnh`."""

_SURNAME_WORDS = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn "
    "Vương Trịnh Trương Đinh Lâm Phùng Mai Tô Hà Lưu Tạ Châu Cao Lương Quách Thái Tăng Từ "
    "Kiều Chu Lại Triệu Tống La Hứa Mạc Thân Lò Lục Nông Ninh Đàm Giang Nghiêm Doãn Khúc "
    "Khổng Khương Kim Âu Hầu Bạch Diệp Đồng Tôn Quan Vi Ông Ma Bế Lã Lữ Nhữ Phí Sầm Thạch "
    "Thiều Tiêu Trình Cù Cấn Hán Hàn Khuất Lạc Lăng Mẫn Ôn Phương Ung Văn Quản Mã Viên "
    "Chử Đới Giáp Hoa Tào Tiết Hạ Lường Bạc Cầm Vàng Chẩu"
)
SURNAMES = tuple(_SURNAME_WORDS.split())
"""Common Vietnamese family names (the first syllable of nearly every signer's name)."""

HONORIFICS = ("ông", "bà", "đồng chí", "đ/c")
"""Words that introduce a person's name in running text (`đồng chí Giàng Seo Phử`, `Ông
Hoàng Văn Thuân`), lower-case."""

POSITION_WORDS = (
    "chu tich",
    "giam doc",
    "truong",
    "pho",
    "bi thu",
    "chanh",
    "thu truong",
    "tong",
    "cuc truong",
    "vu truong",
    "hieu truong",
    "thu tuong",
    "bo truong",
    "uy vien",
)
"""Skeletons of the words a signer's position starts with (`PHÓ CHỦ TỊCH`, `BÍ THƯ`)."""

DUTY_POSITIONS = (
    "Phó Hiệu trưởng",
    "Hiệu trưởng",
    "Hiệu phó",
    "Tổng phụ trách Đội",
    "Tổ trưởng tổ dân phố",
    "Tổ trưởng chuyên môn",
    "Tổ trưởng",
    "Giáo viên chủ nhiệm",
    "Giáo viên bộ môn",
    "Phó Trưởng đoàn",
    "Trưởng đoàn kiểm tra",
    "Trưởng đoàn",
    "Bí thư Chi đoàn",
    "Bí thư Đoàn trường",
    "Chủ tịch Công đoàn",
    "Tổ trưởng các tổ dân phố",
    "Trưởng các thôn, tổ dân phố",
    "Trưởng các khu phố",
    "Trưởng các thôn",
    "Trưởng các ấp",
    "Trưởng các bản",
    "Trưởng thôn",
    "Trưởng ấp",
    "Trưởng bản",
    "Trưởng khu phố",
    "Nhân viên y tế",
    "Kế toán",
    "Văn thư",
)
"""Positions held by one person who is given the duty itself, as printed in a school's,
a team's or a village's plan (`Phó Hiệu trưởng chỉ đạo …`): such a position is the lead.
A role before a unit (`Giám đốc Sở Y tế`, `Thủ trưởng các cơ quan`) is not one of them —
the unit leads then."""

FIELD_NAMES = (
    "Nông nghiệp và Phát triển nông thôn",
    "Nông nghiệp và Môi trường",
    "Tài nguyên và Môi trường",
    "Lao động - Thương binh và Xã hội",
    "Văn hóa, Thể thao và Du lịch",
    "Văn hóa - Thể thao và Du lịch",
    "Kinh tế, Hạ tầng và Đô thị",
    "Kinh tế - Hạ tầng và Đô thị",
    "Kinh tế - Hạ tầng",
    "Giáo dục và Đào tạo",
    "Khoa học và Công nghệ",
    "Thông tin và Truyền thông",
    "Kế hoạch và Đầu tư",
    "Dân tộc và Tôn giáo",
    "Tài chính - Kế hoạch",
    "Văn hóa - Xã hội",
    "Văn hóa và Thông tin",
    "Giao thông vận tải",
    "Tư pháp - Hộ tịch",
    "Công Thương",
    "Hóa chất",
    "Tài chính",
    "Ngoại vụ",
    "Xây dựng",
    "Tư pháp",
    "Nội vụ",
    "Kinh tế",
    "Y tế",
)
"""The fields that name a Sở, Phòng or Chi cục, in running-text case: the issuer block prints
them in capitals (`SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG`) and a body may never spell them out."""

ORGANISATION_NAMES = (
    "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Hội Liên hiệp Phụ nữ",
    "Hội Cựu chiến binh",
    "Hội Người cao tuổi",
    "Hội Chữ thập đỏ",
    "Hội Nông dân",
    "Liên đoàn Lao động",
)
"""Mass organisations in running-text case, for issuer lines printed in capitals."""

PARTY_ORGANS = (
    "Ban Tuyên giáo và Dân vận",
    "Ban Tuyên giáo",
    "Ban Dân vận",
    "Ban Tổ chức",
    "Ban Nội chính",
    "Ban Kinh tế",
    "Ủy ban Kiểm tra",
    "Văn phòng",
)
"""Organs of a Party committee, printed under it as a bare line (`BAN CHẤP HÀNH TRUNG ƯƠNG`
/ `VĂN PHÒNG`) and named after it in running text (`Văn phòng Trung ương Đảng`, `Ban Tổ
chức Tỉnh ủy`), longest first."""

PARTY_WORD = "Đảng"
"""The word running text may add after a committee's own words (`Trung ương Đảng`)."""

AUTHORITY_PREFIXES = ("TM", "T/M", "T.M", "KT", "K/T", "Q", "TL", "T/L", "TUQ")
"""Signing-on-behalf prefixes before a signature's authority line (`KT. CHỦ TỊCH`)."""

PARTY_MOTTO_SK = "dang cong san viet nam"
"""`ĐẢNG CỘNG SẢN VIỆT NAM`, printed top right of Party documents: never the issuer."""

MOTTO_SKS = (PARTY_MOTTO_SK, "doan tncs ho chi minh", "doan thanh nien cong san ho chi minh")
"""Mottos printed top right instead of the Quốc hiệu (Party, Youth Union): never the issuer."""

NUMBER_LABEL = r"(?:Số|số(?=\s*:)|S[óôồổỏ](?=\s*[:.]))"
"""The `Số` before a document number, case-sensitive so that a body named after a decision
(`SỐ 1050/QĐ-SCT`) is no number line; OCR misreads (`Só:`, `Sô:`) count before `:`/`.`."""

SLASHES = str.maketrans({"⁄": "/", "∕": "/", "／": "/"})
"""Slash look-alikes that PDF fonts and OCR put inside document numbers."""

PLACE_DATE = re.compile(r"(?P<place>[^\W\d_][^,\d]{1,50}),\s*ng[aàáảãạ][yýuú]\b.*", re.IGNORECASE)
"""`Hải Phòng, ngày 26 tháng 01 năm 2026` (the place is what stands before the comma);
`ngày` as OCR misreads its vowel or final (`ngàu`, `ngay`, `ngảy`)."""

ROMAN_NUMERALS = (
    "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split()  # noqa: SIM905
)
"""Roman numerals as section and quarter markers use them (1–20)."""

_ROMAN_VALUE = {r: i for i, r in enumerate(ROMAN_NUMERALS, 1)}
# Glyphs OCR reads for `I` (`Il`, `1V`, `I'V`): used only where the context says a numeral.
_OCR_ROMAN = str.maketrans({"l": "I", "1": "I", "|": "I", "!": "I", "'": None, "’": None})


def roman_value(token: str, ocr: bool = False) -> int:
    """1–20 for a Roman numeral (`IV` → 4), else 0.

    With `ocr`, look-alike glyphs are read as `I` first (`Il` → 2, `I'V` → 4): only for
    places where a numeral must stand, such as after `Quý`.
    """
    token = token.strip()
    if ocr:
        token = token.translate(_OCR_ROMAN).upper()
    return _ROMAN_VALUE.get(token, 0)


def roman_numeral(value: int) -> str:
    """`4` → `IV` (values outside 1–20 as digits)."""
    return ROMAN_NUMERALS[value - 1] if 1 <= value <= len(ROMAN_NUMERALS) else str(value)


def starts_with_level(line: str) -> bool:
    """True for `THÀNH PHỐ HẢI PHÒNG`, `ĐẶC KHU CÁT HẢI` (a unit's level and name).

    `TỈNH ỦY`, `HUYỆN ỦY` are Party committees, not a level: False.
    """
    sk = " ".join(skeleton(line.strip()).split())
    for lv in ADMIN_LEVEL_SK:
        if sk == lv or sk.startswith(lv + " "):
            return not sk[len(lv) :].strip().startswith("uy")
    return False
