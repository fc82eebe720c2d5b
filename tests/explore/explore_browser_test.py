"""The latent explorer in a real browser (issue 14): headless Chromium through Selenium against a
running `varstyle explore`. Loads the page, moves a slider and waits for new images, checks that
the shown PNG equals `varstyle stylize --code` for the same z, clicks a style preset and checks
that the sliders move to its code, uploads a content image, and checks that the adain page has no
sliders. Chromedriver missing is a failure, not a skip (launch/install_deps.sh installs it).
Usage: explore_browser_test.py BIN_DIR SOURCE_DIR [SCREENSHOT.png [SCREENSHOT_CHECKPOINT]]
The screenshot shows the test's own briefly trained model, or SCREENSHOT_CHECKPOINT (e.g. runs/demo,
relative to SOURCE_DIR, with its training data) when one is given."""
import base64
import json
import os
import shutil
import sys
import tempfile
import time

from explore_fixture import Fixture, Server, check, png_pixels

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:
    print("FAIL: python3-selenium is not installed (launch/install_deps.sh installs it)")
    sys.exit(1)


def browser():
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(driver_path) or not os.path.exists(chromium):
        print("FAIL: chromium and chromium-driver are needed (launch/install_deps.sh installs them)")
        sys.exit(1)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(driver_path), options=options)


def wait_for(driver, script, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; status: {driver.find_element(By.ID, 'status').text}")


SETTLED = "const e = window.varstyleExplorer; return e.settled() && e.renders > 0 && e.errors === 0;"


def shown_png(driver, index):
    src = driver.find_element(By.ID, f"output-{index}").get_attribute("src")
    assert src.startswith("data:image/png;base64,"), src[:40]
    return base64.b64decode(src.split(",", 1)[1])


def test_vst(fixture, run_dir, screenshot):
    server = Server(fixture, "--checkpoint", run_dir, "--content", fixture.path("contents", "c0.png"),
                    "--content", fixture.path("contents", "c1.png"), "--style", fixture.path("styles"))
    driver = browser()
    try:
        driver.get(server.url)
        wait_for(driver, SETTLED, "the first render")
        sliders = driver.find_elements(By.CSS_SELECTOR, "#sliders input[type=range]")
        check(len(sliders) == fixture.VST_CODE, f"the page shows one slider per latent dimension ({len(sliders)})")
        check("var" in driver.find_element(By.ID, "sliders").text, "each slider is labelled with its variance")
        before = shown_png(driver, 0)
        renders = driver.execute_script("return window.varstyleExplorer.renders;")

        # A user's slider move: focus the first slider and press the right arrow key.
        sliders[0].click()
        for _ in range(40):
            sliders[0].send_keys(Keys.ARROW_RIGHT)
        wait_for(driver, f"const e = window.varstyleExplorer; return e.settled() && e.renders > {renders};", "a new render")
        after = shown_png(driver, 0)
        check(after != before, "moving a slider changes the shown image")
        view = driver.execute_script("return window.varstyleExplorer.shownView;")
        check(view["code"] != [0] * fixture.VST_CODE, "the shown view carries the moved code")

        status, exported = server.json("/api/export", view)
        with open(fixture.path("view.json"), "w") as f:
            json.dump(exported, f)
        fixture.run(fixture.varstyle, "stylize", "--checkpoint", run_dir, "--content", fixture.path("contents", "c0.png"),
                    "--code", fixture.path("view.json"), "--out", fixture.path("reproduced.png"), "--device", "cpu")
        with open(fixture.path("reproduced.png"), "rb") as f:
            reproduced = png_pixels(f.read())
        shown = png_pixels(after)
        check(shown.shape == reproduced.shape and (shown == reproduced).all(),
              f"the page's PNG equals varstyle stylize --code for the same z ({shown.shape})")

        # A style preset sets z to its code: the sliders jump there.
        state = driver.execute_script("return window.varstyleExplorer.page.state;")
        renders = driver.execute_script("return window.varstyleExplorer.renders;")
        driver.find_element(By.CSS_SELECTOR, "#styles button[data-style='2']").click()
        wait_for(driver, f"const e = window.varstyleExplorer; return e.settled() && e.renders > {renders};", "the preset's render")
        code = state["styles"][2]["code"]
        values = {int(s.get_attribute("data-dim")): float(s.get_attribute("value")) for s in sliders}
        clamp = lambda v: max(-3.0, min(3.0, v))
        check(all(abs(values[d] - clamp(code[d])) <= 0.006 for d in range(fixture.VST_CODE)),
              "clicking a style preset moves every slider to its encoding")
        check(driver.execute_script("return window.varstyleExplorer.shownView.code;") == code,
              "the shown view is the preset's exact code")
        labels = driver.find_elements(By.CSS_SELECTOR, "#labels button")
        check(len(labels) == 2, "two label presets (dots, stripes)")

        # Upload through the file picker: a third image joins the row.
        picker = driver.find_element(By.ID, "content-file")
        driver.execute_script("arguments[0].hidden = false;", picker)
        picker.send_keys(fixture.path("style_folders", "dots", "dots0.png"))
        driver.execute_script("arguments[0].hidden = true;", picker)
        wait_for(driver, "const img = document.getElementById('output-2'); return img && img.src.startsWith('data:');",
                 "the uploaded content's image")
        check(driver.execute_script("return window.varstyleExplorer.errors;") == 0, "upload rendered without errors")
        if screenshot:
            wait_for(driver, SETTLED, "the last render")
            driver.save_screenshot(screenshot)
            print("screenshot:", screenshot)
    finally:
        driver.quit()
        server.stop()


def test_adain(fixture, run_dir):
    server = Server(fixture, "--checkpoint", run_dir, "--content", fixture.path("contents", "c0.png"),
                    "--style", fixture.path("styles"))
    driver = browser()
    try:
        driver.get(server.url)
        wait_for(driver, SETTLED, "the adain page's first render")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#sliders input")) == 0, "the adain page has no sliders")
        note = driver.find_element(By.ID, "no-code").text
        check("no latent style code" in note, f"and says why: '{note}'")
        renders = driver.execute_script("return window.varstyleExplorer.renders;")
        driver.find_element(By.ID, "interp").send_keys(Keys.END)
        wait_for(driver, f"const e = window.varstyleExplorer; return e.settled() && e.renders > {renders};", "an interpolation")
        check(len(driver.execute_script("return window.varstyleExplorer.shownView.styles;")) == 2,
              "the interpolation slider mixes two styles")
    finally:
        driver.quit()
        server.stop()


def take_screenshot(fixture, checkpoint, path):
    server = Server(fixture, "--checkpoint", checkpoint, cwd=fixture.source)
    driver = browser()
    try:
        driver.get(server.url)
        wait_for(driver, SETTLED, "the first render")
        driver.find_element(By.CSS_SELECTOR, "#styles button[data-style='3']").click()
        time.sleep(0.2)
        wait_for(driver, SETTLED, "the preset's render")
        driver.save_screenshot(path)
        print("screenshot:", path)
    finally:
        driver.quit()
        server.stop()


def main(bin_dir, source_dir, screenshot=None, screenshot_checkpoint=None):
    with tempfile.TemporaryDirectory() as work:
        fixture = Fixture(bin_dir, source_dir, work)
        fixture.images()
        test_vst(fixture, fixture.train("vst"), None if screenshot_checkpoint else screenshot)
        test_adain(fixture, fixture.train("adain"))
        if screenshot and screenshot_checkpoint:
            take_screenshot(fixture, screenshot_checkpoint, screenshot)
    print("explore browser test passed")


if __name__ == "__main__":
    main(*sys.argv[1:])
