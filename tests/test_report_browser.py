"""The report in a real headless Chromium (selenium with the system's chromium and chromedriver).

Skipped, saying why, when no chromium or chromedriver is on PATH (``.ci/run`` installs them with apt-get
where it can). The layout guard is geometric and pixel-based rather than a comparison with a committed
screenshot, which fonts and anti-aliasing would make differ between machines: element boxes (panes side
by side on a wide window, stacked on a narrow one, nothing wider than the window) and the colours of
screenshots (the highlighted variant is painted in the highlight colour, in both panes, on one row; each
count's ink fits in one line).
"""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from outputs import REPORT_FIXTURES, batch_output, read_lines, write_lines
from rectify_parse.report import write_report

WORDING_RGB = (0xFF, 0xD2, 0x4D)  # --word in the report's CSS
WIDE, FULL_HD, NARROW = 1280, 1920, 600
COUNT_CELLS = "#status td.num, #warnings td.num, #errors td.num, #publishers td.num"


def _browser_paths() -> tuple[str, str]:
    binary = next((p for n in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(n))), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.skip(
            "browser test skipped: no chromium or chromedriver on PATH "
            "(Debian/Ubuntu: apt-get install chromium chromium-driver; .ci/run installs them when it can)"
        )
    return binary, driver


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    binary, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_argument("--force-device-scale-factor=1")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    browser.set_window_size(WIDE, 900)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures' report, with a line whose title and id carry markup that would run if not escaped."""
    tmp = tmp_path_factory.mktemp("browser")
    lines = read_lines(batch_output(tmp / "out.jsonl", REPORT_FIXTURES))
    hostile = {**lines[0], "id": '"><img src=x onerror="window.__pwned=2">'}
    hostile["record"] = {**lines[0]["record"], "title": "<script>window.__pwned=1</script>"}
    write_report(write_lines(tmp / "all.jsonl", [*lines, hostile]), tmp / "report.html")
    return tmp / "report.html"


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a 1,000-notice batch: the fixture notices copied into 1,000 files, so the counts run to
    hundreds and thousands (the width a count needs is what a small batch never tests)."""
    tmp = tmp_path_factory.mktemp("big")
    sources = sorted(FIXTURES.rglob("*.txt"))
    folder = tmp / "notices"
    folder.mkdir()
    for i in range(1000):
        source = sources[i % len(sources)]
        (folder / f"{i:04d}_{source.name}").write_bytes(source.read_bytes())
    write_report(batch_output(tmp / "out.jsonl", folder, options=()), tmp / "report.html")
    return tmp / "report.html"


def _open(driver: Any, path: Path, width: int = WIDE) -> None:
    driver.set_window_size(width, 900)
    driver.get(path.as_uri())
    driver.get_log("browser")  # drop what an earlier page logged
    driver.refresh()
    for summary in driver.find_elements("css selector", "details.detail > summary"):
        driver.execute_script("arguments[0].parentElement.open = true", summary)


def _marks(driver: Any, text: str) -> list[Any]:
    return [m for m in driver.find_elements("css selector", "pre.text mark.v-wording") if m.text == text]


def test_page_loads_without_console_errors_and_markup_stays_inert(driver: Any, page: Path) -> None:
    _open(driver, page)
    assert driver.title.startswith("rectify-parse report")
    assert [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []
    assert driver.execute_script("return window.__pwned === undefined")
    assert any("<script>window.__pwned=1</script>" in s.text for s in driver.find_elements("css selector", "summary"))


def test_the_copy_variant_is_highlighted_side_by_side(driver: Any, page: Path, tmp_path: Path) -> None:
    _open(driver, page)
    left = _marks(driver, "增强")[0]  # the hostile line copies this page: its pair comes second
    (right,) = [
        m for m in _marks(driver, "提高") if m.get_attribute("id") == left.get_attribute("id").replace("a", "b")
    ]
    for mark in (left, right):
        assert mark.is_displayed()
        assert mark.value_of_css_property("background-color") == "rgba({}, {}, {}, 1)".format(*WORDING_RGB)
    box_l, box_r = left.rect, right.rect
    assert box_l["x"] + box_l["width"] < box_r["x"]  # left pane, right pane
    pair = left.find_element("xpath", "ancestor::div[@class='pair']")
    driver.execute_script("arguments[0].scrollIntoView()", pair)
    shot = tmp_path / "pair.png"
    assert pair.screenshot(str(shot))
    width, height, pixels = png_rgb(shot.read_bytes())
    viewport = driver.execute_script("return window.innerHeight")
    assert abs(width - pair.rect["width"]) <= 2 and abs(height - min(pair.rect["height"], viewport)) <= 2
    rows = [y for y in range(height) for x in range(width) if pixels[y][x] == WORDING_RGB]
    cols = [x for y in range(height) for x in range(width) if pixels[y][x] == WORDING_RGB]
    # The highlight colour is painted in both halves of the pair, on the same rows (the panes line up).
    assert any(x < width / 2 for x in cols) and any(x > width / 2 for x in cols)
    left_rows = {y for y in range(height) for x in range(width // 2) if pixels[y][x] == WORDING_RGB}
    right_rows = {y for y in range(height) for x in range(width // 2, width) if pixels[y][x] == WORDING_RGB}
    assert left_rows & right_rows and rows


def test_jump_and_quiet_controls_work(driver: Any, page: Path) -> None:
    _open(driver, page)
    link = driver.find_element("css selector", "a.jump")
    link.click()
    target = driver.find_element("id", f"p{link.get_attribute('data-pair')}a{link.get_attribute('data-v')}")
    assert "flash" in target.get_attribute("class")
    punct = driver.find_element("css selector", "pre.text mark.v-punctuation")
    assert punct.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    driver.find_element("id", "quiet").click()
    assert punct.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"
    driver.find_element("id", "filter").send_keys("site_a")
    shown = [d.get_attribute("id") for d in driver.find_elements("css selector", "details.detail") if d.is_displayed()]
    assert shown and all(i.startswith("group") for i in shown)
    assert driver.get_log("browser") == []


def test_layout_wide_and_narrow(driver: Any, page: Path) -> None:
    for width in (WIDE, NARROW):
        _open(driver, page, width)
        inner = driver.execute_script("return document.documentElement.clientWidth")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= inner  # no sideways scroll
        a, b = (p.rect for p in driver.find_elements("css selector", "#pair0 .pane"))
        if width == WIDE:  # two panes of equal width on one row, filling the content box
            assert a["y"] == b["y"] and abs(a["width"] - b["width"]) <= 1 and a["x"] + a["width"] < b["x"]
            assert 0.35 * inner < a["width"] < 0.5 * inner
            tiles = [t.rect for t in driver.find_elements("css selector", ".total")]
            assert sum(t["y"] == tiles[0]["y"] for t in tiles) >= 6  # the totals fit on one row or nearly
        else:  # stacked: the second pane under the first, as wide
            assert a["x"] == b["x"] and b["y"] >= a["y"] + a["height"] and abs(a["width"] - b["width"]) <= 1
        for pre in driver.find_elements("css selector", "#pair0 pre.text"):
            assert pre.rect["height"] <= 0.6 * 900 + 2  # long texts scroll inside their pane


# Per count cell: its text, the boxes the text is laid out in, the text's and the cell's content box, and
# the line height.
_COUNT_BOXES = """
return Array.from(document.querySelectorAll(arguments[0])).map(function(td){
  var r=document.createRange(); r.selectNodeContents(td);
  var t=r.getBoundingClientRect(), c=td.getBoundingClientRect(), s=getComputedStyle(td);
  var pl=parseFloat(s.paddingLeft), pr=parseFloat(s.paddingRight);
  return {text:td.textContent, lines:r.getClientRects().length, top:t.top, bottom:t.bottom, left:t.left,
          right:t.right, cellLeft:c.left+pl, cellRight:c.right-pr, lineHeight:parseFloat(s.lineHeight)};
});
"""


@pytest.mark.parametrize("width", [WIDE, FULL_HD, NARROW])
def test_counts_are_drawn_on_one_line(driver: Any, big_page: Path, width: int, tmp_path: Path) -> None:
    """Every count of the status, warnings, errors and publisher tables is laid out as one line inside its
    cell, and the screenshot agrees: the ink of each count in the status and warnings tables fits in one
    line's height (a count drawn one digit a line, 5/1/4, is three lines of ink)."""
    _open(driver, big_page, width)
    assert driver.get_log("browser") == []
    boxes = driver.execute_script(_COUNT_BOXES, COUNT_CELLS)
    assert len(boxes) > 20 and max(len(b["text"]) for b in boxes) >= 5  # 1,039 completed problems
    for box in boxes:
        assert box["lines"] == 1, (width, box)
        assert box["bottom"] - box["top"] < 1.5 * box["lineHeight"], (width, box)
        assert box["cellLeft"] - 1 <= box["left"] and box["right"] <= box["cellRight"] + 1, (width, box)
    for section in ("status", "warnings"):
        element = driver.find_element("id", section)
        driver.execute_script("arguments[0].scrollIntoView()", element)
        shot = tmp_path / f"{section}.png"
        assert element.screenshot(str(shot))
        _, _, pixels = png_rgb(shot.read_bytes())
        origin = element.rect
        cells = driver.find_elements("css selector", f"#{section} td.num")
        assert cells
        for cell in cells:
            box = cell.rect
            x0, y0 = round(box["x"] - origin["x"]), round(box["y"] - origin["y"])
            rows = [
                y
                for y in range(max(y0, 0), min(y0 + round(box["height"]), len(pixels)))
                if any(sum(pixels[y][x]) < 3 * 128 for x in range(max(x0, 0), x0 + round(box["width"])))
            ]
            line_height = float(cell.value_of_css_property("line-height").removesuffix("px"))
            assert rows and rows[-1] - rows[0] < line_height, (width, section, cell.text, rows[0], rows[-1])


def test_seed_variant_highlighted(driver: Any, seed_path: Path, tmp_path: Path) -> None:
    write_report(batch_output(tmp_path / "s.jsonl", seed_path.parent), tmp_path / "seed.html")
    _open(driver, tmp_path / "seed.html")
    left, right = _marks(driver, "增强"), _marks(driver, "提高")
    assert len(left) == len(right) == 1 and left[0].is_displayed() and right[0].is_displayed()
    assert left[0].rect["x"] < right[0].rect["x"]
    assert driver.get_log("browser") == []


def png_rgb(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are) into RGB rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0
    step = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * step
    rows: list[list[tuple[int, int, int]]] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, step)])
        previous = line
    return width, height, rows
