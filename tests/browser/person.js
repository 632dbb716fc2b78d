// Clicking like a person: at the coordinates where a control is drawn, with the mouse, and
// only if that is really the control a person would hit there.
//
// Playwright's own `locator.click()` scrolls the element into view first (even inside a
// container with `overflow: hidden`), so a control clipped by its parent or covered by
// another element still "works" in a test while no mouse can reach it. This helper scrolls
// nothing: it takes the target's bounding box as drawn, asks the page what is on top at its
// centre (`document.elementFromPoint`), fails naming that element when it is not the target
// (or inside it), and only then clicks there with `page.mouse`.
import { expect } from "@playwright/test";

/** Describes an element for a failure message: tag, id, class, name, start of its text. */
function describeIn(page, x, y) {
  return page.evaluate(([px, py]) => {
    const el = document.elementFromPoint(px, py);
    if (!el) return "nothing (outside the window)";
    const bits = [el.tagName.toLowerCase()];
    if (el.id) bits.push(`#${el.id}`);
    const cls = el.getAttribute("class");
    if (cls) bits.push(`.${cls.trim().split(/\s+/).join(".")}`);
    const label = el.getAttribute("aria-label");
    if (label) bits.push(`[aria-label="${label}"]`);
    const text = (el.textContent || "").trim().slice(0, 40);
    if (text) bits.push(`"${text}"`);
    return bits.join("");
  }, [x, y]);
}

/** Where a person would click `locator` (its centre), after checking they can reach it. */
export async function reachablePoint(page, locator, what = String(locator)) {
  await expect(locator, `${what} is drawn`).toBeVisible();
  const box = await locator.boundingBox();
  expect(box, `${what} has a box`).not.toBeNull();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const viewport = page.viewportSize();
  expect(
    x >= 0 && y >= 0 && x < viewport.width && y < viewport.height,
    `${what}: its centre (${Math.round(x)}, ${Math.round(y)}) is outside the ${viewport.width}x${viewport.height} window`,
  ).toBe(true);
  const hit = await locator.evaluate((el, [px, py]) => {
    const top = document.elementFromPoint(px, py);
    // SVG shapes count as inside their <svg>; an element inside the target counts as the target.
    return !!top && (top === el || el.contains(top));
  }, [x, y]);
  if (!hit) {
    const onTop = await describeIn(page, x, y);
    expect(hit, `${what} cannot be clicked: at its centre (${Math.round(x)}, ${Math.round(y)}) a person hits ${onTop}`).toBe(true);
  }
  return { x, y };
}

/** Clicks `locator` with the mouse at its centre, failing if something else is drawn there. */
export async function clickLikeAPerson(page, locator, what) {
  const { x, y } = await reachablePoint(page, locator, what);
  await page.mouse.click(x, y);
}
