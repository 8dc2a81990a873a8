"""Checks of a page's layout on a phone, shared by the browser tests."""

# The texts of the cells under the element (a table) in which one piece of text runs onto a second
# line: the line boxes of one text node, one starting below another's middle. Pieces the template
# puts on lines of their own (two agencies, a name above its unit) are not a wrap. Free-text cells
# (``.cell-text``) wrap by design and are skipped.
_WRAPPED_CELLS = """root => [...root.querySelectorAll("th, td")].filter(cell => !cell.classList.contains("cell-text")).filter(cell =>
    [cell, ...cell.querySelectorAll("*")].some(el =>
        [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).some(n => {
            const range = document.createRange(); range.selectNodeContents(n);
            const boxes = [...range.getClientRects()];
            return boxes.some(a => boxes.some(b => b.top > a.top + a.height / 2));
        }))
).map(cell => cell.innerText)"""


def wrapped_cells(locator) -> list[str]:
    """The cells of the table ``locator`` points at whose text runs onto a second line."""
    return locator.evaluate(_WRAPPED_CELLS)


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0: it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
