"use strict";
// The game page: draws any rows × cols board from /api/config, plays through the JSON API and
// keeps the game's id in the URL so that a reload or a shared link resumes it.
// Online games: the seat token lives in localStorage (never in the URL) and goes out as
// `Authorization: Bearer`; an EventSource shows the other player's moves as they happen.
// "Play someone" waits in the server's queue (one long-polling request at a time) until it is
// paired with a stranger; the ticket it was given becomes the seat token.
(() => {
  const $ = (id) => document.getElementById(id);
  const boardEl = $("board"), statusEl = $("status"), noticeEl = $("notice");
  let config = null, game = null, busy = false, focusIndex = 0;
  let mode = "human";
  let you = null, stream = null;
  // Replay: how many of the game's moves the board shows; null shows the game as it is.
  let step = null;
  // The quick-match ticket while waiting for an opponent, and the turn clock's end on this
  // page's own clock (performance.now(), so a wrong system clock does not matter).
  let ticket = null, clockEnd = null, clockTimer = null;
  // Stops the waiting request when the player cancels.
  let matchWait = null;
  // The game (and its rematches) that quick match found, to tell it from a game with a friend.
  let strangerGame = null;

  const tokenKey = (id) => "tictactoe.seat." + id;
  function tokenFor(id) {
    try { return window.localStorage.getItem(tokenKey(id)); } catch (e) { return null; }
  }
  function keepToken(id, token) {
    try { window.localStorage.setItem(tokenKey(id), token); } catch (e) { /* private mode: the seat lasts this page */ }
  }

  async function api(method, path, body, token, signal) {
    const init = { method, headers: { "Accept": "application/json" }, signal };
    if (token) init.headers["Authorization"] = "Bearer " + token;
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
    const replaying = step !== null;
    const shown = replaying ? game.moves.slice(0, step) : game.moves;
    const board = replaying ? replayBoard(shown) : game.board;
    const last = shown.length ? shown[shown.length - 1] : -1;
    const win = new Set(replaying && step < game.moves.length ? [] : game.winningLine);
    const over = game.status !== "playing";
    const computerTurn = game.opponent === "computer" && game.next === game.computer;
    const notMine = game.opponent === "online" && game.next !== you;
    for (const cell of boardEl.querySelectorAll(".cell")) {
      const index = Number(cell.dataset.index);
      const mark = board[index];
      cell.textContent = mark;
      if (mark) cell.dataset.seat = seatOf(mark); else delete cell.dataset.seat;
      cell.classList.toggle("win", win.has(index));
      cell.classList.toggle("last", index === last);
      const disabled = over || replaying || mark !== "" || computerTurn || notMine || busy;
      cell.setAttribute("aria-disabled", String(disabled));
      cell.setAttribute("aria-label", cellName(index) + ", " + (mark ? mark : "empty")
        + (index === last ? ", last move" : "") + (win.has(index) ? ", winning line" : ""));
    }
    statusEl.textContent = replaying && step < game.moves.length
      ? "Replay: move " + step + " of " + game.moves.length + (step ? " (" + board[last] + " at " + cellName(last) + ")" : "") + "."
      : statusText() + (game.status === "won" ? " " + lineText(game.winningLine) : "");
    renderReplay();
    renderScore();
    $("rematch").hidden = !over;
    // Against the computer and online (a player, not a watcher); at one screen the players
    // simply start a new game.
    $("resign").hidden = over || game.opponent === "human" || (game.opponent === "online" && !you);
    renderModes();
    renderOnline();
    renderClock();
    const history = $("history");
    history.replaceChildren(...game.moves.map((index, i) => {
      const item = document.createElement("li");
      item.textContent = game.board[index] + " at " + cellName(index);
      return item;
    }));
    $("move-count").textContent = String(game.moves.length);
    fitBoard();
  }

  // The board after the first moves of `moves`: the first seat's symbol plays the even moves.
  function replayBoard(moves) {
    const board = new Array(game.rows * game.cols).fill("");
    moves.forEach((index, i) => { board[index] = config.players.symbols[i % 2]; });
    return board;
  }

  // Finished games and games watched from the side can be stepped through move by move.
  function renderReplay() {
    const watching = game.opponent === "online" && !you;
    const offered = game.moves.length > 0 && (game.status !== "playing" || watching);
    $("replay").hidden = !offered;
    if (!offered) { step = null; return; }
    const at = step === null ? game.moves.length : step;
    $("replay-position").textContent = "Move " + at + " of " + game.moves.length;
    $("replay-start").disabled = $("replay-back").disabled = at === 0;
    $("replay-forward").disabled = $("replay-end").disabled = at === game.moves.length;
  }

  function replayTo(target) {
    if (!game) return;
    const at = Math.max(0, Math.min(game.moves.length, target));
    step = at === game.moves.length ? null : at;
    render();
  }

  // The winning line in words, for the status line that screen readers announce.
  function lineText(line) {
    if (!line || line.length < 2) return "";
    const rc = (i) => [Math.floor(i / game.cols) + 1, (i % game.cols) + 1];
    const [r1, c1] = rc(line[0]), [r2, c2] = rc(line[line.length - 1]);
    if (r1 === r2) return "Winning line: row " + r1 + ", columns " + c1 + " to " + c2 + ".";
    if (c1 === c2) return "Winning line: column " + c1 + ", rows " + r1 + " to " + r2 + ".";
    return "Winning line: the diagonal from row " + r1 + ", column " + c1 + " to row " + r2 + ", column " + c2 + ".";
  }

  // The running score of this chain of rematches, as the server carries it.
  function renderScore() {
    const score = game.score || {};
    const [first, second] = config.players.symbols;
    const el = $("score");
    el.replaceChildren();
    const parts = [[first, score[first] || 0], [second, score[second] || 0], ["draws", score.draws || 0]];
    parts.forEach(([name, count], i) => {
      if (i) el.append(" · ");
      el.append(name + " ");
      const value = document.createElement("b");
      value.textContent = String(count);
      el.append(value);
    });
    el.setAttribute("aria-label", "Score: " + first + " " + (score[first] || 0) + ", " + second + " " + (score[second] || 0)
      + ", draws " + (score.draws || 0));
  }

  // Sizes the board so that the whole of it, the status line and the buttons fit the window
  // without scrolling: as wide as the card allows, as tall as the window leaves, cells square and
  // at least 24 px (a board that cannot fit at that size scrolls rather than shrinks further).
  function fitBoard() {
    if (!game) return;
    const rows = game.rows, cols = game.cols;
    const gap = cols > 9 ? 1 : 3;
    boardEl.style.setProperty("--gap", gap + "px");
    boardEl.style.width = "";
    const card = boardEl.parentElement;
    const cardStyle = getComputedStyle(card);
    const sideBySide = cardStyle.display === "grid";
    const padding = parseFloat(cardStyle.paddingLeft) + parseFloat(cardStyle.paddingRight);
    let widthAvailable = card.clientWidth - padding;
    let heightAvailable;
    const bottomMargin = 8;
    if (sideBySide) {
      const side = 192;  // the controls' column (12rem)
      widthAvailable = Math.max(0, card.clientWidth - padding - side - 16);
      heightAvailable = window.innerHeight - boardEl.getBoundingClientRect().top - window.scrollY - bottomMargin;
    } else {
      // Everything after the board that is needed to play: the notice and the buttons.
      let below = 0;
      for (const el of [noticeEl, document.querySelector(".actions")]) {
        if (el && !el.hidden) {
          const style = getComputedStyle(el);
          below += el.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
        }
      }
      const top = boardEl.getBoundingClientRect().top + window.scrollY;
      heightAvailable = window.innerHeight - top - below - parseFloat(cardStyle.paddingBottom) - bottomMargin;
    }
    const gapsX = (cols - 1) * gap, gapsY = (rows - 1) * gap;
    const cellByWidth = (widthAvailable - gapsX) / cols;
    const cellByHeight = (heightAvailable - gapsY) / rows;
    const cell = Math.max(24, Math.floor(Math.min(cellByWidth, cellByHeight, 160)));
    boardEl.style.width = (cell * cols + gapsX) + "px";
  }

  function renderOnline() {
    const online = game.opponent === "online";
    $("online").hidden = !online;
    if (!online) return;
    const taken = game.seatsTaken || [];
    const waiting = taken.length < 2;
    const link = new URL(window.location.href);
    link.search = "?game=" + game.id;
    $("share-link").value = link.toString();
    $("share").hidden = !(you && waiting);
    $("join").hidden = !!you || !waiting;
    if (you) {
      $("seat-info").textContent = "You play " + you + "." + (waiting ? " Waiting for your friend to open the link…" : "");
    } else {
      $("seat-info").textContent = waiting ? "A seat is open: take it to play." : "You are watching this game.";
    }
  }

  function renderModes() {
    const opponent = ticket ? null : game && game.opponent;
    const stranger = opponent === "online" && game.id === strangerGame;
    $("vs-human").setAttribute("aria-pressed", String(opponent === "human"));
    $("vs-computer").setAttribute("aria-pressed", String(opponent === "computer"));
    $("vs-online").setAttribute("aria-pressed", String(opponent === "online" && !stranger));
    $("vs-match").setAttribute("aria-pressed", String(!!ticket || stranger));
  }

  // The time the player to move has left, counted down here between the server's answers.
  function renderClock() {
    const el = $("clock");
    const running = game && game.opponent === "online" && game.status === "playing" && clockEnd !== null;
    el.hidden = !running;
    if (!running) return;
    const seconds = Math.max(0, Math.ceil((clockEnd - performance.now()) / 1000));
    const who = game.next === you ? "You have" : game.next + " has";
    el.textContent = who + " " + seconds + " s left to move.";
    el.classList.toggle("low", seconds <= 10);
  }

  function statusText() {
    const online = game.opponent === "online";
    const player = online ? you
      : game.opponent === "computer" ? (game.computer === config.players.symbols[0] ? config.players.symbols[1] : config.players.symbols[0]) : null;
    if (game.status !== "playing") return resultText(player, online ? (game.id === strangerGame ? "your opponent" : "your friend") : "the computer");
    if (busy && player && !online) return "The computer is thinking…";
    if (!player) return game.next + "'s turn";
    if (game.next === player) return "Your turn (" + player + ")";
    return online ? "Waiting for " + game.next + "…" : "The computer's turn (" + game.computer + ")";
  }

  // How a finished game ended, for `player` (null at one screen or for a watcher) against `other`.
  function resultText(player, other) {
    const Other = other.charAt(0).toUpperCase() + other.slice(1);
    if (game.status === "draw") return "It's a draw.";
    if (game.resigned) {
      if (player) return game.resigned === player ? "You resigned: " + other + " wins." : Other + " resigned: you win!";
      return game.resigned + " resigned: " + game.winner + " wins.";
    }
    if (game.timedOut) {
      if (player) return game.timedOut === player ? "You ran out of time: " + other + " wins." : Other + " ran out of time: you win!";
      return game.timedOut + " ran out of time: " + game.winner + " wins.";
    }
    const line = game.rule === "misere" ? " (the other player completed a line)" : "";
    if (player) return (game.winner === player ? "You win" : Other + " wins") + line + "!";
    return game.winner + " wins" + line + "!";
  }


  // Live updates for online games. EventSource reconnects by itself and sends Last-Event-ID, so
  // the server resumes from the last state shown.
  function watch() {
    const asPlayer = !!you;
    if (stream && stream.gameId === game.id && stream.asPlayer === asPlayer) return;
    if (stream) stream.close();
    stream = null;
    if (game.opponent !== "online" || typeof EventSource === "undefined") return;
    // A player's stream says so, so that only watchers are counted as spectators.
    const source = new EventSource("/api/games/" + game.id + "/events" + (asPlayer ? "?player=1" : ""));
    source.gameId = game.id;
    source.asPlayer = asPlayer;
    source.addEventListener("spectators", (event) => {
      let count = 0;
      try { count = JSON.parse(event.data).spectators; } catch (e) { return; }
      $("watchers").textContent = count === 0 ? "" : count === 1 ? "1 person is watching." : count + " people are watching.";
    });
    source.onopen = () => { $("live").textContent = "Live: moves appear as they are made."; };
    source.onerror = () => {
      $("live").textContent = "Reconnecting…";
      // EventSource retries by itself after a dropped connection, but gives up for good on an
      // error answer (a 503 while the database is down, a 502 from a load balancer): start over.
      // A finished game's stream ends for good (the server answers 204): nothing more to watch.
      if (source.readyState === EventSource.CLOSED && game && game.id === source.gameId && game.status === "playing") {
        setTimeout(() => {
          if (stream === source) { stream = null; watch(); }
        }, 2000);
      }
    };
    source.onmessage = (event) => {
      let update;
      try { update = JSON.parse(event.data); } catch (e) { return; }
      if (!game || update.id !== game.id || busy) return;
      if (update.version < game.version) return;
      game = update;
      setClock();
      render();
      if (update.rematchId) followRematch(update.rematchId);
    };
    stream = source;
  }

  function setClock() {
    const clock = game.clock;
    clockEnd = clock && clock.msLeft !== null && clock.msLeft !== undefined && game.status === "playing"
      ? performance.now() + clock.msLeft : null;
    if (clockEnd !== null && !clockTimer) clockTimer = setInterval(renderClock, 1000);
    if (clockEnd === null && clockTimer) { clearInterval(clockTimer); clockTimer = null; }
  }

  async function followRematch(id) {
    const token = tokenFor(game.id);
    if (token) keepToken(id, token);
    if (game.id === strangerGame) strangerGame = id;
    try {
      const next = await api("GET", "/api/games/" + id, undefined, token);
      you = next.you;
      show(next, false);
    } catch (error) {
      notice(error.message);
    }
  }

  function show(newGame, replaceURL) {
    if (!game || game.id !== newGame.id) { you = null; step = null; $("watchers").textContent = ""; }
    if (newGame.you) you = newGame.you;
    game = newGame;
    setClock();
    mode = game.opponent;
    const url = new URL(window.location.href);
    if (url.searchParams.get("game") !== game.id) {
      url.searchParams.set("game", game.id);
      if (replaceURL) history.replaceState(null, "", url); else history.pushState(null, "", url);
    }
    render();
    watch();
  }

  async function play(index) {
    if (!game || busy) return;
    focusIndex = index;
    if (game.status !== "playing") { notice("The game is over. Start a new game or a rematch."); return; }
    if (game.board[index] !== "") { notice("That cell is taken by " + game.board[index] + "."); return; }
    if (game.opponent === "online" && !you) { notice("You are watching: take the open seat to play."); return; }
    if (game.opponent === "online" && game.next !== you) { notice("Wait for " + game.next + " to move."); return; }
    await change("/moves", { index: index, version: game.version });
    focusCell(focusIndex);
  }

  // Sends a change of the game (a move, a resignation) at the version shown; a refusal is
  // explained inline, and a conflict (409) shows the game as it is now.
  async function change(path, body) {
    notice("");
    busy = true;
    render();
    try {
      const updated = await api("POST", "/api/games/" + game.id + path, body, tokenFor(game.id));
      busy = false;
      show(updated, true);
    } catch (error) {
      busy = false;
      notice(error.message);
      if (error.status === 409) {
        try { show(await api("GET", "/api/games/" + game.id, undefined, tokenFor(game.id)), true); } catch (e) { render(); }
      } else {
        render();
      }
    }
  }

  async function newGame(opponent) {
    if (ticket) await cancelMatch();
    notice("");
    try {
      const created = await api("POST", "/api/games", { opponent: opponent });
      if (created.token) keepToken(created.id, created.token);
      show(created, false);
    } catch (error) {
      notice(error.message);
    }
  }

  async function resign() {
    if (!game || busy || game.status !== "playing") return;
    await change("/resign", { version: game.version });
  }

  async function rematch() {
    notice("");
    const token = tokenFor(game.id);
    try {
      const next = await api("POST", "/api/games/" + game.id + "/rematch", {}, token);
      if (token) keepToken(next.id, token);
      if (game.id === strangerGame) strangerGame = next.id;
      show(next, false);
    } catch (error) {
      notice(error.message);
    }
  }

  // Seats are taken only by this explicit click: link previewers that fetch the page take none.
  async function join() {
    notice("");
    try {
      const claimed = await api("POST", "/api/games/" + game.id + "/seats", {}, tokenFor(game.id));
      if (claimed.token) keepToken(claimed.id, claimed.token);
      show(claimed, true);
    } catch (error) {
      notice(error.message);
      if (error.status === 409) {
        try { show(await api("GET", "/api/games/" + game.id), true); } catch (e) { render(); }
      }
    }
  }

  // Quick match: join the queue, then wait with one request at a time (each waits up to 25 s on
  // the server) until a stranger is found, the player cancels, or the queue gives up.
  function matching(text) {
    $("matching").hidden = text === null;
    $("match-info").textContent = text || "";
    renderModes();
  }

  function matched(found) {
    ticket = null;
    matching(null);
    keepToken(found.id, found.token);
    strangerGame = found.id;
    you = found.you;
    show(found, false);
  }

  async function playSomeone() {
    if (ticket) return;
    notice("");
    matching("Looking for an opponent…");
    let answer;
    try {
      answer = await api("POST", "/api/match", {});
    } catch (error) {
      matching(null);
      notice(error.message);
      return;
    }
    if (answer.status === "matched") { matched(answer.game); return; }
    ticket = answer.ticket;
    const mine = ticket;
    matching("Looking for an opponent… You will play as soon as someone else presses “Play someone”.");
    while (ticket === mine) {
      try {
        matchWait = new AbortController();
        answer = await api("GET", "/api/match?wait=25", undefined, mine, matchWait.signal);
      } catch (error) {
        if (ticket !== mine) return;
        if (error.status === 404 || error.status === 401 || error.status === 400) {
          ticket = null;
          matching(null);
          notice(error.status === 404 ? "Nobody else was looking for a game. Try again later, or play a friend." : error.message);
          return;
        }
        // The server or the network failed for a moment: ask again shortly.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        continue;
      }
      if (ticket !== mine) return;
      if (answer.status === "matched") { matched(answer.game); return; }
    }
  }

  async function cancelMatch() {
    const mine = ticket;
    if (!mine) { matching(null); return; }
    ticket = null;
    matching(null);
    if (matchWait) matchWait.abort();
    try {
      const answer = await api("DELETE", "/api/match", undefined, mine);
      // Paired just before the cancel: the stranger is already in the game, so go there too.
      if (answer && answer.status === "matched") {
        matched(answer.game);
        notice("An opponent was found just as you cancelled; resign if you do not want to play.");
      }
    } catch (error) {
      notice(error.message);
    }
  }

  async function copyLink() {
    const input = $("share-link");
    try {
      await navigator.clipboard.writeText(input.value);
      $("copy-link").textContent = "Copied";
    } catch (e) {
      input.select();
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

  const position = () => (step === null ? game.moves.length : step);
  $("replay-start").addEventListener("click", () => replayTo(0));
  $("replay-back").addEventListener("click", () => replayTo(position() - 1));
  $("replay-forward").addEventListener("click", () => replayTo(position() + 1));
  $("replay-end").addEventListener("click", () => replayTo(game.moves.length));
  $("replay").addEventListener("keydown", (event) => {
    const to = { ArrowLeft: position() - 1, ArrowRight: position() + 1, Home: 0, End: game.moves.length }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    replayTo(to);
  });
  $("new-game").addEventListener("click", () => newGame(mode));
  $("rematch").addEventListener("click", rematch);
  $("resign").addEventListener("click", resign);
  $("vs-human").addEventListener("click", () => newGame("human"));
  $("vs-computer").addEventListener("click", () => newGame("computer"));
  $("vs-online").addEventListener("click", () => newGame("online"));
  $("join").addEventListener("click", join);
  $("vs-match").addEventListener("click", playSomeone);
  $("match-cancel").addEventListener("click", cancelMatch);
  // Closing the page leaves the queue at once (the queue would drop the ticket within half a
  // minute anyway, when its requests stop).
  window.addEventListener("pagehide", () => {
    if (!ticket) return;
    try {
      fetch("/api/match", { method: "DELETE", keepalive: true, headers: { "Authorization": "Bearer " + ticket } });
    } catch (e) { /* the page is going away */ }
  });
  $("copy-link").addEventListener("click", copyLink);
  window.addEventListener("popstate", () => load());
  window.addEventListener("resize", () => fitBoard());

  async function load() {
    const id = new URL(window.location.href).searchParams.get("game");
    if (id) {
      try {
        // A finished game opens at its end with the replay's controls (a reload keeps the result).
        show(await api("GET", "/api/games/" + encodeURIComponent(id), undefined, tokenFor(id)), true);
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
