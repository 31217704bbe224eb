"""Headless Chromium plays the page as a person would: clicks, keys and what the page shows."""
import os
import shutil

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from conftest import ROOT  # noqa: E402

SCREENS = os.path.join(ROOT, "build", "screens")


def new_driver():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "chromium and chromium-driver are needed (make test installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=480,900", "--no-proxy-server"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(20)
    return driver


@pytest.fixture
def browser():
    driver = new_driver()
    yield driver
    driver.quit()


@pytest.fixture
def make_browser():
    """Separate browser sessions (own profile, own localStorage), as two people would have."""
    drivers = []

    def make():
        drivers.append(new_driver())
        return drivers[-1]

    yield make
    for driver in drivers:
        driver.quit()


def cells(driver):
    return driver.find_elements(By.CSS_SELECTOR, "[role=gridcell]")


def wait_for(driver, predicate, timeout=10):
    return WebDriverWait(driver, timeout).until(lambda d: predicate(d))


def status(driver):
    return driver.find_element(By.ID, "status").text


def click_cell(driver, index):
    before = sum(1 for c in cells(driver) if c.text)
    cells(driver)[index].click()
    wait_for(driver, lambda d: sum(1 for c in cells(d) if c.text) > before)


def no_console_errors(driver):
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_two_players_click_to_a_win(start_server, browser):
    server = start_server(open(os.path.join(ROOT, "variants/classic.yaml")).read())
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 9 and status(d) == "X's turn")
    grid = browser.find_element(By.CSS_SELECTOR, "[role=grid]")
    assert grid.get_attribute("aria-rowcount") == "3"
    assert "game=" in browser.current_url
    for index in [0, 3, 1, 4]:
        click_cell(browser, index)
    assert status(browser) == "X's turn"
    click_cell(browser, 2)
    # The winning line is in the status line, which screen readers announce (role=status).
    wait_for(browser, lambda d: status(d) == "X wins! Winning line: row 1, columns 1 to 3.")
    winning = [c.get_attribute("data-index") for c in cells(browser) if "win" in c.get_attribute("class").split()]
    assert winning == ["0", "1", "2"]
    assert cells(browser)[0].get_attribute("aria-label") == "row 1, column 1, X, winning line"
    # The last move is marked by more than colour: a dot, and its name for screen readers.
    assert cells(browser)[2].get_attribute("aria-label") == "row 1, column 3, X, last move, winning line"
    assert "last" in cells(browser)[2].get_attribute("class").split()
    dot = browser.execute_script("return getComputedStyle(arguments[0], '::after').content", cells(browser)[2])
    assert dot == '""', dot
    assert browser.find_element(By.ID, "score").text == "X 1 · O 0 · draws 0"
    # A refused move is explained inline, not with alert().
    cells(browser)[8].click()
    notice = browser.find_element(By.ID, "notice")
    wait_for(browser, lambda d: notice.is_displayed())
    assert "over" in notice.text
    history = browser.find_elements(By.CSS_SELECTOR, "#history li")
    assert len(history) == 5
    # A reload resumes the same game from the URL.
    url = browser.current_url
    browser.refresh()
    wait_for(browser, lambda d: status(d).startswith("X wins!"))
    assert browser.current_url == url
    # The finished game steps back and forth move by move, with the buttons and the keyboard.
    replay = browser.find_element(By.ID, "replay")
    assert replay.is_displayed() and browser.find_element(By.ID, "replay-position").text == "Move 5 of 5"
    browser.find_element(By.ID, "replay-back").click()
    wait_for(browser, lambda d: status(d) == "Replay: move 4 of 5 (O at row 2, column 2).")
    assert [c.text for c in cells(browser)] == ["X", "X", "", "O", "O", "", "", "", ""]
    assert not any("win" in c.get_attribute("class").split() for c in cells(browser))
    browser.find_element(By.ID, "replay-back").send_keys(Keys.HOME)
    wait_for(browser, lambda d: status(d) == "Replay: move 0 of 5." and all(c.text == "" for c in cells(d)))
    assert browser.find_element(By.ID, "replay-back").get_attribute("disabled") == "true"
    browser.find_element(By.ID, "replay-forward").send_keys(Keys.ARROW_RIGHT)
    wait_for(browser, lambda d: status(d) == "Replay: move 1 of 5 (X at row 1, column 1).")
    browser.find_element(By.ID, "replay-end").click()
    wait_for(browser, lambda d: status(d) == "X wins! Winning line: row 1, columns 1 to 3.")
    assert [c.text for c in cells(browser)] == ["X", "X", "X", "O", "O", "", "", "", ""]
    os.makedirs(SCREENS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENS, "two-players-win.png"))
    # Rematch starts a fresh game, and the score runs on; a draw counts too.
    browser.find_element(By.ID, "rematch").click()
    wait_for(browser, lambda d: d.current_url != url and status(d) == "X's turn")
    assert all(c.text == "" for c in cells(browser))
    assert browser.find_element(By.ID, "score").text == "X 1 · O 0 · draws 0"
    for index in [0, 1, 2, 4, 3, 5, 7, 6, 8]:
        click_cell(browser, index)
    wait_for(browser, lambda d: status(d) == "It's a draw.")
    assert browser.find_element(By.ID, "score").text == "X 1 · O 0 · draws 1"
    browser.find_element(By.ID, "rematch").click()
    wait_for(browser, lambda d: status(d) == "X's turn")
    assert browser.find_element(By.ID, "score").text == "X 1 · O 0 · draws 1"
    no_console_errors(browser)


def test_keyboard_plays_with_arrows_and_enter(start_server, browser):
    server = start_server()
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 9 and status(d) == "X's turn")
    cells(browser)[0].send_keys(Keys.ARROW_RIGHT)
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: cells(d)[4].text == "X")
    browser.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
    browser.switch_to.active_element.send_keys(" ")
    wait_for(browser, lambda d: cells(d)[3].text == "O")
    assert status(browser) == "X's turn"


def test_plays_the_perfect_computer_and_cannot_win(start_server, browser):
    server = start_server("opponent: {kind: computer, plays: O, level: perfect}\ntheme: {name: dark, title: Beat the machine}\n")
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 9 and "Your turn" in status(d))
    assert browser.title == "Beat the machine"
    assert browser.find_element(By.ID, "vs-computer").get_attribute("aria-pressed") == "true"
    for _ in range(5):
        if not status(browser).startswith("Your turn"):
            break
        free = [i for i, c in enumerate(cells(browser)) if not c.text]
        before = sum(1 for c in cells(browser) if c.text)
        cells(browser)[free[0]].click()
        # The computer's reply arrives in the same answer: two new marks, or one when the game ends.
        wait_for(browser, lambda d: sum(1 for c in cells(d) if c.text) >= before + 1 and "thinking" not in status(d))
    wait_for(browser, lambda d: status(d).startswith("The computer wins!") or status(d) == "It's a draw.")
    assert any(c.text == "O" for c in cells(browser))
    os.makedirs(SCREENS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENS, "versus-computer.png"))
    no_console_errors(browser)


def test_resigning_against_the_computer_hands_it_the_game(start_server, browser):
    server = start_server("opponent: {kind: computer, plays: O}\n")
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 9 and "Your turn" in status(d))
    assert browser.find_element(By.ID, "resign").is_displayed()
    browser.find_element(By.ID, "resign").click()
    wait_for(browser, lambda d: status(d) == "You resigned: the computer wins.")
    assert not browser.find_element(By.ID, "resign").is_displayed()
    assert browser.find_element(By.ID, "rematch").is_displayed()
    no_console_errors(browser)


def test_large_board_fits_a_phone_screen(start_server, browser):
    server = start_server("board: {rows: 15, cols: 15, win_length: 5}\n")
    browser.set_window_size(390, 844)
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 225)
    grid = browser.find_element(By.CSS_SELECTOR, "[role=grid]").rect
    card = browser.find_element(By.CSS_SELECTOR, "main").rect
    assert card["x"] <= grid["x"] and grid["x"] + grid["width"] <= card["x"] + card["width"]
    assert browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    first, last = cells(browser)[0].rect, cells(browser)[14].rect
    assert first["y"] == last["y"], "a row of 15 cells stays on one line"
    click_cell(browser, 112)
    assert cells(browser)[112].text == "X"
    os.makedirs(SCREENS, exist_ok=True)
    browser.save_screenshot(os.path.join(SCREENS, "gomoku-phone.png"))


def seat_info(driver):
    return driver.find_element(By.ID, "seat-info").text


def test_two_browsers_play_online_across_two_server_processes(start_server, postgres, make_browser):
    config = "server: {heartbeat_s: 2}\nstate: {backend: postgres}\n"
    a, b = (start_server(config, env={"DATABASE_URL": postgres.url}) for _ in range(2))
    for server in (a, b):
        assert server.wait_ready()[0] == 200
    alice, bob = make_browser(), make_browser()
    alice.get(a.url + "/")
    wait_for(alice, lambda d: len(cells(d)) == 9)
    alice.find_element(By.ID, "vs-online").click()
    wait_for(alice, lambda d: seat_info(d) == "You play X. Waiting for your friend to open the link…")
    link = alice.find_element(By.ID, "share-link").get_attribute("value")
    assert "game=" in link and "token" not in link.lower()
    game_id = link.split("game=")[1]

    # Bob opens the shared link on the other process: he watches until he takes the seat.
    bob.get(link.replace(a.url, b.url))
    wait_for(bob, lambda d: d.find_element(By.ID, "join").is_displayed())
    assert seat_info(bob) == "A seat is open: take it to play."
    bob.find_element(By.ID, "join").click()
    wait_for(bob, lambda d: seat_info(d) == "You play O.")
    wait_for(alice, lambda d: seat_info(d) == "You play X.")
    assert alice.find_element(By.ID, "share").is_displayed() is False

    # Each move appears in the other browser without a reload.
    for player, watcher, index, symbol in [(alice, bob, 0, "X"), (bob, alice, 3, "O"), (alice, bob, 1, "X"), (bob, alice, 4, "O")]:
        cells(player)[index].click()
        wait_for(watcher, lambda d: cells(d)[index].text == symbol)
    assert status(alice) == "Your turn (X)" and status(bob) == "Waiting for X…"
    cells(bob)[8].click()
    wait_for(bob, lambda d: d.find_element(By.ID, "notice").text == "Wait for X to move.")
    cells(alice)[2].click()
    wait_for(alice, lambda d: status(d).startswith("You win!"))
    wait_for(bob, lambda d: status(d).startswith("Your friend wins!"))

    # A reload rejoins the same seat.
    bob.refresh()
    wait_for(bob, lambda d: len(cells(d)) == 9 and seat_info(d) == "You play O." and status(d).startswith("Your friend wins!"))

    # Rematch: one click brings both into one new game, and the other player starts.
    bob.find_element(By.ID, "rematch").click()
    wait_for(bob, lambda d: game_id not in d.current_url and seat_info(d) == "You play X.")
    rematch_id = bob.current_url.split("game=")[1]
    wait_for(alice, lambda d: rematch_id in d.current_url and seat_info(d) == "You play O.")
    assert status(bob) == "Your turn (X)"
    cells(bob)[4].click()
    wait_for(alice, lambda d: cells(d)[4].text == "X" and status(d) == "Your turn (O)")

    # Resign ends the game on both pages; the score counts it as Bob's win.
    alice.find_element(By.ID, "resign").click()
    wait_for(alice, lambda d: status(d) == "You resigned: your friend wins.")
    wait_for(bob, lambda d: status(d) == "Your friend resigned: you win!")
    assert bob.find_element(By.ID, "rematch").is_displayed() and not bob.find_element(By.ID, "resign").is_displayed()
    os.makedirs(SCREENS, exist_ok=True)
    alice.save_screenshot(os.path.join(SCREENS, "online-alice.png"))
    bob.save_screenshot(os.path.join(SCREENS, "online-bob.png"))
    no_console_errors(alice)
    no_console_errors(bob)


def play_someone(driver):
    driver.find_element(By.ID, "vs-match").click()


def test_two_strangers_press_play_someone_on_two_processes_and_play_one_game(start_server, postgres, make_browser):
    config = "server: {heartbeat_s: 2}\nstate: {backend: postgres}\n"
    a, b = (start_server(config, env={"DATABASE_URL": postgres.url}) for _ in range(2))
    for server in (a, b):
        assert server.wait_ready()[0] == 200
    alice, bob, carol = make_browser(), make_browser(), make_browser()
    for driver, server in ((alice, a), (bob, b)):
        driver.get(server.url + "/")
        wait_for(driver, lambda d: len(cells(d)) == 9)

    play_someone(alice)
    wait_for(alice, lambda d: d.find_element(By.ID, "match-info").text.startswith("Looking for an opponent…"))
    assert alice.find_element(By.ID, "vs-match").get_attribute("aria-pressed") == "true"
    # Bob presses on the other process: both are in one game within 2 s, on opposite seats.
    play_someone(bob)
    seats = {}
    for driver in (alice, bob):
        WebDriverWait(driver, 2, poll_frequency=0.05).until(lambda d: seat_info(d) in ("You play X.", "You play O."))
        seats[driver] = seat_info(driver)
    assert sorted(seats.values()) == ["You play O.", "You play X."]
    assert alice.current_url.split("game=")[1] == bob.current_url.split("game=")[1]
    assert not alice.find_element(By.ID, "matching").is_displayed()
    assert not alice.find_element(By.ID, "share").is_displayed()
    x, o = (alice, bob) if seats[alice] == "You play X." else (bob, alice)
    wait_for(x, lambda d: d.find_element(By.ID, "clock").text.startswith("You have ") and d.find_element(By.ID, "clock").text.endswith(" s left to move."))
    wait_for(o, lambda d: d.find_element(By.ID, "clock").text.startswith("X has "))

    # A watcher on the other process's link is counted on the players' pages (PostgreSQL tallies
    # every few seconds); the players themselves are not.
    carol.get(b.url + "/?game=" + alice.current_url.split("game=")[1])
    wait_for(carol, lambda d: seat_info(d) == "You are watching this game.")
    for driver in (alice, bob):
        wait_for(driver, lambda d: d.find_element(By.ID, "watchers").text == "1 person is watching.", timeout=15)

    for player, other, index, symbol in [(x, o, 0, "X"), (o, x, 3, "O"), (x, o, 1, "X"), (o, x, 4, "O"), (x, o, 2, "X")]:
        wait_for(player, lambda d: status(d).startswith("Your turn"))
        cells(player)[index].click()
        wait_for(other, lambda d: cells(d)[index].text == symbol)
    wait_for(x, lambda d: status(d).startswith("You win!"))
    wait_for(o, lambda d: status(d).startswith("Your opponent wins!"))
    wait_for(carol, lambda d: status(d).startswith("X wins!"))
    assert not x.find_element(By.ID, "clock").is_displayed()
    os.makedirs(SCREENS, exist_ok=True)
    x.save_screenshot(os.path.join(SCREENS, "quick-match-x.png"))
    for driver in (alice, bob, carol):
        no_console_errors(driver)


def test_the_turn_clock_ends_an_abandoned_quick_match_on_both_pages(start_server, make_browser):
    server = start_server("online: {match: {turn_s: 2}}\n")
    alice, bob = make_browser(), make_browser()
    for driver in (alice, bob):
        driver.get(server.url + "/")
        wait_for(driver, lambda d: len(cells(d)) == 9)
        play_someone(driver)
    for driver in (alice, bob):
        wait_for(driver, lambda d: seat_info(d) in ("You play X.", "You play O."))
    x, o = (alice, bob) if seat_info(alice) == "You play X." else (bob, alice)
    # X never moves: at the deadline the server ends the game, and both pages hear it.
    wait_for(x, lambda d: status(d) == "You ran out of time: your opponent wins.", timeout=8)
    wait_for(o, lambda d: status(d) == "Your opponent ran out of time: you win!", timeout=8)
    assert o.find_element(By.ID, "rematch").is_displayed()


def test_cancelling_the_search_leaves_the_queue(start_server, browser):
    server = start_server()
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) == 9)
    play_someone(browser)
    wait_for(browser, lambda d: d.find_element(By.ID, "matching").is_displayed())
    browser.find_element(By.ID, "match-cancel").click()
    wait_for(browser, lambda d: not d.find_element(By.ID, "matching").is_displayed())
    assert browser.find_element(By.ID, "vs-match").get_attribute("aria-pressed") == "false"
    # Nobody is waiting any more: the next player to join waits too, rather than being paired.
    status_code, answer, _ = server.request("POST", "/api/match", {})
    assert status_code == 202 and answer["status"] == "waiting"
    no_console_errors(browser)


def axe_violations(driver):
    """axe-core's WCAG 2 A and AA rules on the page as it is now: the violations' ids and nodes.
    axe-core is the copy that PyPI's axe-selenium-python carries."""
    import axe_selenium_python
    script = os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
    driver.execute_script(open(script, encoding="utf8").read())
    driver.set_script_timeout(30)
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}})
          .then((r) => done({violations: r.violations.map((v) => [v.id, v.nodes.map((n) => n.target.join(" "))])}),
                (e) => done({error: String(e)}));
    """)
    assert "error" not in result, result
    return result["violations"]


def test_the_page_passes_axe_while_looking_for_and_playing_a_stranger(start_server, make_browser):
    server = start_server("online: {match: {turn_s: 60}}\n")
    alice, bob = make_browser(), make_browser()
    alice.get(server.url + "/")
    wait_for(alice, lambda d: len(cells(d)) == 9 and status(d) != "Loading…")
    assert axe_violations(alice) == []
    play_someone(alice)
    wait_for(alice, lambda d: d.find_element(By.ID, "matching").is_displayed())
    assert axe_violations(alice) == []
    bob.get(server.url + "/")
    wait_for(bob, lambda d: len(cells(d)) == 9)
    play_someone(bob)
    wait_for(alice, lambda d: d.find_element(By.ID, "clock").is_displayed())
    assert axe_violations(alice) == []
    # Keyboard play: the board takes the focus and Enter plays the focused cell.
    x = alice if seat_info(alice) == "You play X." else bob
    cells(x)[0].send_keys(Keys.ENTER)
    wait_for(x, lambda d: cells(d)[0].text == "X")
    x.find_element(By.ID, "resign").click()
    wait_for(x, lambda d: status(d) == "You resigned: your opponent wins.")
    assert axe_violations(x) == []


SIZES = [(1280, 720), (1366, 768), (1920, 1080), (390, 844)]
SIDEWAYS = (844, 390)


def viewport(driver, width, height, scale=1):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})


FITS = """
const inView = (el) => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5; };
const cells = [...document.querySelectorAll('[role=gridcell]')];
const sizes = cells.map((c) => c.getBoundingClientRect());
return {
  board: inView(document.getElementById('board')),
  status: inView(document.getElementById('status')),
  score: inView(document.getElementById('score')),
  newGame: inView(document.getElementById('new-game')),
  square: sizes.every((r) => Math.abs(r.width - r.height) <= 1),
  smallest: Math.min(...sizes.map((r) => Math.min(r.width, r.height))),
  sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  scrolled: scrollY,
};
"""


@pytest.mark.parametrize("variant", sorted(n[:-5] for n in os.listdir(os.path.join(ROOT, "variants")) if n.endswith(".yaml")))
def test_every_variant_shows_the_whole_board_on_common_screens(start_server, postgres, browser, variant):
    text = open(os.path.join(ROOT, "variants", variant + ".yaml")).read()
    server = start_server(text, env={"DATABASE_URL": postgres.url})
    browser.get(server.url + "/")
    wait_for(browser, lambda d: len(cells(d)) > 0 and status(d) != "Loading…")
    rows = int(browser.find_element(By.ID, "board").get_attribute("aria-rowcount"))
    cols = int(browser.find_element(By.ID, "board").get_attribute("aria-colcount"))
    sizes = SIZES + ([SIDEWAYS] if rows <= 5 and cols <= 5 else [])
    for width, height in sizes:
        viewport(browser, width, height)
        wait_for(browser, lambda d: d.execute_script("return innerWidth") == width)
        fits = None
        def settled(d):
            nonlocal fits
            fits = d.execute_script(FITS)
            return fits["board"] and fits["status"] and fits["newGame"]
        try:
            wait_for(browser, settled, timeout=3)
        except Exception:
            pass
        where = f"{variant} at {width}x{height}: {fits}"
        assert fits["board"] and fits["status"] and fits["score"] and fits["newGame"], where
        assert fits["square"] and fits["smallest"] >= 24, where
        assert not fits["sideways"] and fits["scrolled"] == 0, where
        os.makedirs(SCREENS, exist_ok=True)
        browser.save_screenshot(os.path.join(SCREENS, f"fit-{variant}-{width}x{height}.png"))
    # Zoomed to 200 % (half the CSS pixels): nothing scrolls sideways, no text is cut off.
    viewport(browser, 640, 360, scale=2)
    wait_for(browser, lambda d: d.execute_script("return innerWidth") == 640)
    clipped = browser.execute_script(
        "return [...document.querySelectorAll('h1, p, button, summary')].filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map((e) => e.id || e.textContent)")
    assert clipped == [], clipped
    assert not browser.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
    no_console_errors(browser)
