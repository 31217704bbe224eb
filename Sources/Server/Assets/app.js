"use strict";
// The game page: draws any rows × cols board from /api/config, plays through the JSON API and
// keeps the game's id in the URL so that a reload or a shared link resumes it.
(() => {
  const $ = (id) => document.getElementById(id);
  const boardEl = $("board"), statusEl = $("status"), noticeEl = $("notice");
  let config = null, game = null, busy = false, focusIndex = 0;
  let mode = "human";

  async function api(method, path, body) {
    const init = { method, headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw { code: "network", message: "The server cannot be reached. Check your connection and try again." };
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { code: "http_" + response.status, message: "The server answered " + response.status + "." };
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function notice(text) {
    noticeEl.textContent = text || "";
    noticeEl.hidden = !text;
  }

  function seatOf(symbol) {
    return symbol === config.players.symbols[0] ? "first" : "second";
  }

  function cellName(index) {
    const row = Math.floor(index / game.cols) + 1, col = (index % game.cols) + 1;
    return "row " + row + ", column " + col;
  }

  function buildBoard() {
    boardEl.replaceChildren();
    boardEl.style.setProperty("--cols", String(game.cols));
    boardEl.setAttribute("aria-rowcount", String(game.rows));
    boardEl.setAttribute("aria-colcount", String(game.cols));
    for (let r = 0; r < game.rows; r++) {
      const row = document.createElement("div");
      row.setAttribute("role", "row");
      row.className = "row";
      for (let c = 0; c < game.cols; c++) {
        const cell = document.createElement("div");
        const index = r * game.cols + c;
        cell.setAttribute("role", "gridcell");
        cell.className = "cell";
        cell.dataset.index = String(index);
        cell.tabIndex = index === focusIndex ? 0 : -1;
        cell.addEventListener("click", () => play(index));
        row.appendChild(cell);
      }
      boardEl.appendChild(row);
    }
  }

  function render() {
    if (boardEl.dataset.shape !== game.rows + "x" + game.cols) {
      focusIndex = Math.min(focusIndex, game.rows * game.cols - 1);
      buildBoard();
      boardEl.dataset.shape = game.rows + "x" + game.cols;
    }
    const last = game.moves.length ? game.moves[game.moves.length - 1] : -1;
    const win = new Set(game.winningLine);
    const over = game.status !== "playing";
    const computerTurn = game.opponent === "computer" && game.next === game.computer;
    for (const cell of boardEl.querySelectorAll(".cell")) {
      const index = Number(cell.dataset.index);
      const mark = game.board[index];
      cell.textContent = mark;
      if (mark) cell.dataset.seat = seatOf(mark); else delete cell.dataset.seat;
      cell.classList.toggle("win", win.has(index));
      cell.classList.toggle("last", index === last);
      const disabled = over || mark !== "" || computerTurn || busy;
      cell.setAttribute("aria-disabled", String(disabled));
      cell.setAttribute("aria-label", cellName(index) + ", " + (mark ? mark : "empty") + (win.has(index) ? ", winning line" : ""));
    }
    statusEl.textContent = statusText();
    $("rematch").hidden = !over;
    $("vs-human").setAttribute("aria-pressed", String(game.opponent === "human"));
    $("vs-computer").setAttribute("aria-pressed", String(game.opponent === "computer"));
    const history = $("history");
    history.replaceChildren(...game.moves.map((index, i) => {
      const item = document.createElement("li");
      item.textContent = game.board[index] + " at " + cellName(index);
      return item;
    }));
    $("move-count").textContent = String(game.moves.length);
  }

  function statusText() {
    const you = game.opponent === "computer" ? (game.computer === config.players.symbols[0] ? config.players.symbols[1] : config.players.symbols[0]) : null;
    if (game.status === "won") {
      const line = game.rule === "misere" ? " (the other player completed a line)" : "";
      if (you) return (game.winner === you ? "You win" : "The computer wins") + line + "!";
      return game.winner + " wins" + line + "!";
    }
    if (game.status === "draw") return "It's a draw.";
    if (busy && you) return "The computer is thinking…";
    if (you) return game.next === you ? "Your turn (" + you + ")" : "The computer's turn (" + game.computer + ")";
    return game.next + "'s turn";
  }

  function show(newGame, replaceURL) {
    game = newGame;
    mode = game.opponent;
    const url = new URL(window.location.href);
    if (url.searchParams.get("game") !== game.id) {
      url.searchParams.set("game", game.id);
      if (replaceURL) history.replaceState(null, "", url); else history.pushState(null, "", url);
    }
    render();
  }

  async function play(index) {
    if (!game || busy) return;
    focusIndex = index;
    if (game.status !== "playing") { notice("The game is over. Start a new game or a rematch."); return; }
    if (game.board[index] !== "") { notice("That cell is taken by " + game.board[index] + "."); return; }
    notice("");
    busy = true;
    render();
    try {
      const updated = await api("POST", "/api/games/" + game.id + "/moves", { index: index, version: game.version });
      busy = false;
      show(updated, true);
    } catch (error) {
      busy = false;
      notice(error.message);
      if (error.status === 409) {
        try { show(await api("GET", "/api/games/" + game.id), true); } catch (e) { render(); }
      } else {
        render();
      }
    }
    focusCell(focusIndex);
  }

  async function newGame(opponent) {
    notice("");
    try {
      show(await api("POST", "/api/games", { opponent: opponent }), false);
    } catch (error) {
      notice(error.message);
    }
  }

  async function rematch() {
    notice("");
    try {
      show(await api("POST", "/api/games/" + game.id + "/rematch", {}), false);
    } catch (error) {
      notice(error.message);
    }
  }

  function focusCell(index) {
    const cells = boardEl.querySelectorAll(".cell");
    if (!cells.length) return;
    focusIndex = Math.max(0, Math.min(cells.length - 1, index));
    cells.forEach((cell, i) => { cell.tabIndex = i === focusIndex ? 0 : -1; });
    if (boardEl.contains(document.activeElement)) cells[focusIndex].focus();
  }

  boardEl.addEventListener("keydown", (event) => {
    if (!game) return;
    const r = Math.floor(focusIndex / game.cols), c = focusIndex % game.cols;
    let next = null;
    switch (event.key) {
      case "ArrowUp": next = r > 0 ? focusIndex - game.cols : focusIndex; break;
      case "ArrowDown": next = r < game.rows - 1 ? focusIndex + game.cols : focusIndex; break;
      case "ArrowLeft": next = c > 0 ? focusIndex - 1 : focusIndex; break;
      case "ArrowRight": next = c < game.cols - 1 ? focusIndex + 1 : focusIndex; break;
      case "Home": next = r * game.cols; break;
      case "End": next = r * game.cols + game.cols - 1; break;
      case "Enter": case " ": event.preventDefault(); play(focusIndex); return;
      default: return;
    }
    event.preventDefault();
    const cells = boardEl.querySelectorAll(".cell");
    focusIndex = next;
    cells.forEach((cell, i) => { cell.tabIndex = i === focusIndex ? 0 : -1; });
    cells[focusIndex].focus();
  });

  $("new-game").addEventListener("click", () => newGame(mode));
  $("rematch").addEventListener("click", rematch);
  $("vs-human").addEventListener("click", () => newGame("human"));
  $("vs-computer").addEventListener("click", () => newGame("computer"));
  window.addEventListener("popstate", () => load());

  async function load() {
    const id = new URL(window.location.href).searchParams.get("game");
    if (id) {
      try {
        show(await api("GET", "/api/games/" + encodeURIComponent(id)), true);
        return;
      } catch (error) {
        notice(error.status === 404 ? "That game no longer exists, so here is a new one." : error.message);
      }
    }
    try {
      show(await api("POST", "/api/games", {}), true);
    } catch (error) {
      notice(error.message);
    }
  }

  async function start() {
    try {
      config = await api("GET", "/api/config");
    } catch (error) {
      statusEl.textContent = "The game could not load.";
      notice(error.message);
      return;
    }
    const b = config.board;
    $("rules").textContent = b.rows + " × " + b.cols + ", " + b.winLength + " in a row " +
      (b.rule === "misere" ? "loses (misère)" : "wins") + ". " + config.players.first + " starts.";
    mode = config.opponent.kind;
    await load();
  }

  start();
})();
