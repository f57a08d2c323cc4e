/* Duel Arena spectator page: plain JavaScript, no build step, no dependencies.
 *
 * Uses only the public JSON API. Its base is this page's origin, or `?api=http://host:port` when the
 * page is served from elsewhere. Routes: `#/` the list of live and recent games, `#/games/<id>` one
 * game; when the app serves the page at `/watch/<id>` that id is used while there is no hash.
 *
 * Following a game: GET /api/games/{id} every ~1 s, backing off (x1.5, up to 8 s) while nothing
 * changes, stopping when the game is over. When the server sends an ETag the poll is conditional
 * (If-None-Match; a 304 means unchanged); otherwise it is a plain GET compared by `version`. Moves come
 * from GET /api/games/{id}/moves?after=<ply> when that answers 200, else from the game view.
 */
(function () {
  "use strict";

  var FAST_MS = 1000;
  var MAX_MS = 8000;
  var LIST_MS = 5000;
  var OVER = { finished: true, aborted: true };
  var ANALYSED = { chess: true, tictactoe: true }; // move quality arrives after the end (the turn workers)
  var ANALYSIS_WAIT_POLLS = 40; // how long a finished game is followed for its analysis
  var PIECES = {
    K: "\u2654", Q: "\u2655", R: "\u2656", B: "\u2657", N: "\u2658", P: "\u2659",
    k: "\u265A", q: "\u265B", r: "\u265C", b: "\u265D", n: "\u265E", p: "\u265F"
  };
  var TEXT_STYLE = "\uFE0E"; // ask for the text (not emoji) form of the pawn glyphs

  var params = new URLSearchParams(window.location.search);
  var API = (params.get("api") || "").replace(/\/+$/, "");
  var app = document.getElementById("app");
  var current = null; // the route's controller: {stop()}

  // ---------------------------------------------------------------- helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.indexOf("data-") === 0 || key === "href" || key === "title" || key === "id" ||
               key === "colspan" || key === "style" || key === "open") node.setAttribute(key, value);
      else node[key] = value;
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" || typeof child === "number" ?
        document.createTextNode(String(child)) : child);
    });
    return node;
  }

  function apiUrl(path) { return API + "/api" + path; }
  function gameHref(id) { return "#/games/" + encodeURIComponent(id); }
  function money(micros) { return "$" + ((micros || 0) / 1e6).toFixed(micros && micros < 10000 ? 6 : 4); }
  function when(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace(/\+00:00|Z$/, " UTC") : ""; }

  function errorText(status, body) {
    if (body && body.error && body.error.message) return status + " " + body.error.code + ": " + body.error.message;
    return "HTTP " + status;
  }

  function getJSON(path) {
    return fetch(apiUrl(path), { cache: "no-store", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) throw new Error(errorText(r.status, body));
        return body;
      });
    });
  }

  function resultText(g) {
    if (g.status === "live" || g.status === "paused") {
      var waiting = (g.to_move || []).join(" and ");
      return g.status + (g.pause_reason ? " (" + g.pause_reason + ")" : "") + (waiting ? ", to move: " + waiting : "");
    }
    var who = g.result === "first" ? g.white + " wins" : g.result === "second" ? g.black + " wins" :
      g.result === "draw" ? "draw" : g.status;
    return who + (g.termination ? " (" + g.termination.replace(/_/g, " ") + ")" : "");
  }

  // ---------------------------------------------------------------- list
  function showList() {
    var stopped = false;
    var timer = null;
    function row(g) {
      return el("tr", { "data-game-id": g.id, "class": "game-row" }, [
        el("td", {}, [el("a", { href: gameHref(g.id), text: g.game_type })]),
        el("td", {}, [g.white + " vs " + g.black]),
        el("td", { "class": "status-" + g.status }, [resultText(g)]),
        // a list row carries moves and the last change only once the game has ended (null before)
        el("td", { "class": "num" }, [g.moves_count === null ? "" : g.moves_count]),
        el("td", { "class": "muted" }, [when(g.updated_at || g.created_at)])
      ]);
    }
    function table(title, id, games) {
      return el("section", { id: id }, [
        el("h2", { text: title + " (" + games.length + ")" }),
        games.length ? el("table", { "class": "games" }, [
          el("thead", {}, [el("tr", {}, ["game", "players", "status", "moves", "updated"].map(function (h) {
            return el("th", { text: h });
          }))]),
          el("tbody", {}, games.map(row))
        ]) : el("p", { "class": "muted", text: "none" })
      ]);
    }
    function load() {
      Promise.all([getJSON("/games?status=live&limit=50"), getJSON("/games?limit=50")]).then(function (pages) {
        if (stopped) return;
        var live = pages[0].items;
        var recent = pages[1].items.filter(function (g) { return g.status !== "live"; });
        app.replaceChildren(el("div", { id: "game-list", "data-loaded": "1" }, [
          table("Live games", "live-games", live), table("Recent games", "recent-games", recent)
        ]));
        timer = setTimeout(load, LIST_MS);
      }).catch(function (err) {
        if (stopped) return;
        app.replaceChildren(el("p", { "class": "error", id: "list-error", text: "Could not load games: " + err.message }));
        timer = setTimeout(load, MAX_MS);
      });
    }
    load();
    return { stop: function () { stopped = true; clearTimeout(timer); } };
  }

  // ---------------------------------------------------------------- boards
  function chessBoard(state) {
    var placement = (state.fen || "8/8/8/8/8/8/8/8").split(" ")[0].split("/");
    var last = (state.moves || [])[state.moves ? state.moves.length - 1 : 0] || "";
    var marked = {};
    if (last.length >= 4) { marked[last.slice(0, 2)] = true; marked[last.slice(2, 4)] = true; }
    var grid = el("div", { "class": "chess", "data-fen": state.fen });
    placement.forEach(function (rankText, r) {
      var file = 0;
      rankText.split("").forEach(function (ch) {
        var empty = /\d/.test(ch) ? parseInt(ch, 10) : 0;
        var count = empty || 1;
        for (var i = 0; i < count; i++) {
          var square = "abcdefgh"[file] + (8 - r);
          var piece = empty ? "" : ch;
          grid.appendChild(el("div", {
            "class": "sq " + ((file + r) % 2 ? "dark" : "light") + (marked[square] ? " last" : "") +
              (piece ? (piece === piece.toUpperCase() ? " white-piece" : " black-piece") : ""),
            "data-square": square, "data-piece": piece || null, title: square
          }, [piece ? PIECES[piece] + TEXT_STYLE : ""]));
          file++;
        }
      });
    });
    var san = state.san || [];
    var pairs = [];
    for (var i = 0; i < san.length; i += 2) pairs.push((i / 2 + 1) + ". " + san[i] + (san[i + 1] ? " " + san[i + 1] : ""));
    return el("div", { "class": "board-wrap" }, [grid, el("p", { "class": "san", text: pairs.join("  ") })]);
  }

  function tictactoeBoard(state) {
    var board = state.board || [];
    return el("div", { "class": "ttt" }, board.map(function (mark, i) {
      return el("div", { "class": "cell" + (mark ? " mark-" + mark : ""), "data-cell": i + 1, text: mark || "" });
    }));
  }

  function rpsBoard(state, g) {
    var rounds = state.rounds || [];
    var chosen = state.chosen || {};
    var body = rounds.map(function (round, i) {
      return el("tr", { "class": "round" }, [
        el("td", { "class": "num", text: i + 1 }), el("td", { text: round.white }), el("td", { text: round.black }),
        el("td", { text: round.winner ? (round.winner === "white" ? g.white : g.black) : "tie" })
      ]);
    });
    if (!OVER[g.status] && (chosen.white || chosen.black)) {
      body.push(el("tr", { "class": "pending" }, [
        el("td", { "class": "num", text: rounds.length + 1 }),
        el("td", { text: chosen.white ? "chosen (hidden)" : "..." }),
        el("td", { text: chosen.black ? "chosen (hidden)" : "..." }), el("td", { text: "" })
      ]));
    }
    var score = state.score || {};
    return el("div", { "class": "rps" }, [
      el("p", { "class": "score", text: "Score " + (score.white || 0) + " : " + (score.black || 0) +
        " (best of " + ((state.options || {}).rounds || "?") + ")" }),
      el("table", { "class": "rounds" }, [
        el("thead", {}, [el("tr", {}, ["round", g.white, g.black, "winner"].map(function (h) { return el("th", { text: h }); }))]),
        el("tbody", {}, body)
      ])
    ]);
  }

  function racingBoard(state, g) {
    var length = (state.options || {}).track_length || 50;
    var cars = state.cars || {};
    var W = 900, left = 20, right = 50, laneY = { white: 40, black: 80 };
    function x(pos) { return left + (Math.min(pos, length) / length) * (W - left - right); }
    var NS = "http://www.w3.org/2000/svg";
    function svg(tag, attrs, text) {
      var node = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text !== undefined) node.textContent = text;
      return node;
    }
    var root = svg("svg", { viewBox: "0 0 " + W + " 120", "class": "track", role: "img",
      "aria-label": "race track of length " + length });
    root.appendChild(svg("rect", { x: left, y: 22, width: W - left - right, height: 78, rx: 6, "class": "asphalt" }));
    root.appendChild(svg("line", { x1: x(length), y1: 18, x2: x(length), y2: 104, "class": "finish" }));
    root.appendChild(svg("text", { x: x(length), y: 14, "class": "label", "text-anchor": "middle" }, "finish " + length));
    (state.curves || []).forEach(function (c) {
      root.appendChild(svg("rect", { x: x(c.cell) - 3, y: 22, width: 6, height: 78, "class": "curve", "data-cell": c.cell }));
      root.appendChild(svg("text", { x: x(c.cell) - 10, y: 116, "class": "label" }, c.cell + " \u2264" + c.safe_speed));
    });
    ["white", "black"].forEach(function (seat) {
      var car = cars[seat] || { position: 0 };
      var group = svg("g", { "class": "car car-" + seat, "data-seat": seat, "data-position": car.position });
      group.appendChild(svg("rect", { x: x(car.position) - 14, y: laneY[seat] - 9, width: 28, height: 18, rx: 5 }));
      group.appendChild(svg("text", { x: x(car.position) - 4, y: laneY[seat] + 5, "class": "car-label" },
        seat === "white" ? "1" : "2"));
      root.appendChild(group);
    });
    var rows = ["white", "black"].map(function (seat) {
      var car = cars[seat] || {};
      var last = (state.history || []).length ? state.history[state.history.length - 1][seat] : null;
      var chosen = (state.chosen || {})[seat] && !OVER[g.status];
      return el("tr", { "data-seat": seat }, [
        el("td", { text: (seat === "white" ? "car 1: " : "car 2: ") + g[seat] }),
        el("td", { "class": "num", text: car.position }), el("td", { "class": "num", text: car.speed }),
        el("td", { "class": "num", text: car.boosts_left }),
        el("td", { text: last ? last.action + (last.spun_out !== null && last.spun_out !== undefined ?
          " (spun out at " + last.spun_out + ")" : "") : "" }),
        el("td", { text: chosen ? "chosen (hidden)" : "" })
      ]);
    });
    return el("div", { "class": "racing" }, [
      root,
      el("p", { "class": "muted", text: "Turn " + (state.turn || 0) + " of at most " +
        ((state.options || {}).turn_limit || "?") + ". Curves: cell \u2264 safe speed." }),
      el("table", { "class": "cars" }, [
        el("thead", {}, [el("tr", {}, ["car", "position", "speed", "boosts left", "last action", "this turn"]
          .map(function (h) { return el("th", { text: h }); }))]),
        el("tbody", {}, rows)
      ])
    ]);
  }

  function wordsBoard(state, g, moves) {
    var rulings = {};
    moves.forEach(function (m) {
      var attempts = m.attempts || [];
      var judged = attempts.length ? attempts[attempts.length - 1].judge : null;
      if (judged && m.move) rulings[m.move.toLowerCase()] = judged;
    });
    var chain = [el("li", { "class": "word start" }, [el("strong", { text: state.start_word || "?" }),
      el("span", { "class": "muted", text: " start" })])];
    (state.words || []).forEach(function (w) {
      var ruling = rulings[w.word] || null;
      var verdict = w.judged ? (w.associated ? "associated" : "not associated") : "not judged";
      chain.push(el("li", { "class": "word seat-" + w.seat + (w.judged ? (w.associated ? " ok" : " bad") : ""),
        "data-word": w.word }, [
        el("strong", { text: w.word }),
        el("span", { "class": "muted", text: " " + g[w.seat] + " \u00b7 " + verdict }),
        ruling && ruling.reason ? el("div", { "class": "ruling", text: "judge " + ruling.judge + ": " + ruling.reason }) : null
      ]));
    });
    return el("ol", { "class": "chain" }, chain);
  }

  function board(g, moves) {
    var state = g.state || {};
    switch (g.game_type) {
      case "chess": return chessBoard(state);
      case "tictactoe": return tictactoeBoard(state);
      case "rps": return rpsBoard(state, g);
      case "racing": return racingBoard(state, g);
      case "words": return wordsBoard(state, g, moves);
      default: return el("pre", { text: JSON.stringify(state, null, 2) });
    }
  }

  // ---------------------------------------------------------------- moves
  function attemptView(a) {
    var facts = "tokens " + a.tokens_in + " in / " + a.tokens_out + " out \u00b7 " + money(a.cost_micros) +
      " \u00b7 " + a.latency_ms + " ms";
    return el("div", { "class": "attempt" + (a.error ? " failed" : "") }, [
      el("div", {}, [el("strong", { text: "attempt " + a.attempt + ": " }), a.parsed || "(no move)",
        a.error ? el("span", { "class": "error", text: " \u2014 " + a.error }) : null,
        el("span", { "class": "muted", text: " \u00b7 " + facts })]),
      a.reasoning ? el("details", {}, [el("summary", { text: "reasoning" }), el("pre", { text: a.reasoning })]) : null,
      a.judge ? el("div", { "class": "ruling", text: "judge " + a.judge.judge + ": " +
        (a.judge.associated === null ? "no ruling" : a.judge.associated ? "associated" : "not associated") +
        (a.judge.reason ? " \u2014 " + a.judge.reason : "") + " (" + money(a.judge.cost_micros) + ")" }) : null
    ]);
  }

  function movesView(g, moves) {
    var rows = moves.slice().reverse().map(function (m) {
      var cost = (m.attempts || []).reduce(function (s, a) { return s + (a.cost_micros || 0); }, 0);
      var tokens = (m.attempts || []).reduce(function (s, a) { return s + (a.tokens_in || 0) + (a.tokens_out || 0); }, 0);
      return el("li", { "class": "move", "data-ply": m.ply }, [
        el("div", { "class": "move-head" }, [
          el("span", { "class": "num", text: "#" + (m.ply + 1) }),
          el("strong", { text: m.hidden ? "(hidden until both have chosen)" : (m.move || "(no move)") }),
          el("span", { "class": "muted", text: " " + m.seat + " \u00b7 " + g[m.seat] + " \u00b7 " +
            (m.attempts || []).length + " attempt(s) \u00b7 " + tokens + " tokens \u00b7 " + money(cost) })
        ]),
        m.analysis ? qualityView(m.analysis) : null,
        el("div", { "class": "attempts" }, (m.attempts || []).map(attemptView))
      ]);
    });
    return el("section", { id: "moves" }, [el("h2", { text: "Moves (" + moves.length + "), newest first" }),
      el("ol", { "class": "moves", reversed: true }, rows)]);
  }

  function qualityView(a) {
    var parts = [a["class"] || "good"];
    if (a.cp_loss !== null && a.cp_loss !== undefined) parts.push("cp loss " + a.cp_loss);
    if (a.accuracy !== null && a.accuracy !== undefined) parts.push("accuracy " + a.accuracy + "%");
    if (a.best_san) parts.push("best " + a.best_san);
    return el("div", { "class": "quality quality-" + (a["class"] || "good"), text: parts.join(" \u00b7 ") });
  }

  function analysisView(g) {
    var seats = (g.analysis || {}).seats;
    if (!seats) return null;
    var columns = ["moves", "accuracy", "acpl", "blunders", "mistakes", "inaccuracies"];
    return el("table", { "class": "totals", id: "analysis" }, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "move quality (" + (g.analysis.engine || "engine") + ")" })]
        .concat(columns.map(function (c) { return el("th", { text: c === "acpl" ? "avg cp loss" : c }); })))]),
      el("tbody", {}, Object.keys(seats).map(function (seat) {
        return el("tr", {}, [el("td", { text: seat + " \u00b7 " + g[seat] })].concat(columns.map(function (c) {
          var v = seats[seat][c];
          return el("td", { "class": "num", text: v === null || v === undefined ? "\u2013" : v });
        })));
      }))
    ]);
  }

  function totalsView(g) {
    var totals = g.totals || {};
    var keys = Object.keys(totals);
    if (!keys.length) return null;
    var columns = Object.keys(totals[keys[0]] || {});
    return el("table", { "class": "totals" }, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "totals" })].concat(columns.map(function (c) {
        return el("th", { text: c.replace(/_micros$/, " ($)").replace(/_/g, " ") });
      })))]),
      el("tbody", {}, keys.map(function (k) {
        return el("tr", {}, [el("td", { text: k })].concat(columns.map(function (c) {
          var v = totals[k][c];
          return el("td", { "class": "num", text: /micros/.test(c) ? money(v) : v });
        })));
      }))
    ]);
  }

  // ---------------------------------------------------------------- one game, followed live
  function showGame(id) {
    var stopped = false;
    var timer = null;
    var game = null;
    var moves = []; // sorted by ply
    var etag = null;
    var conditional = true; // false once a conditional request failed (e.g. a CORS preflight refused it)
    var movesAfter = null; // null: unknown, true: /moves?after= answers 200, false: use the game view's moves
    var delay = FAST_MS;
    var polls = { total: 0, unchanged: 0, notModified: 0, overAt: 0 };
    var status = el("p", { "class": "poll muted", id: "poll-status" });

    function render() {
      var g = game;
      var view = el("article", {
        id: "game", "data-game-id": g.id, "data-game-type": g.game_type, "data-status": g.status,
        "data-ply": g.ply, "data-version": g.version, "data-moves": moves.length,
        "data-poll-mode": etag ? "etag" : "plain", "data-moves-source": movesAfter ? "moves-after" : "game-view"
      }, [
        el("p", {}, [el("a", { href: "#/", text: "\u2190 all games" })]),
        el("h1", {}, [g.game_type + ": ", el("span", { "class": "white-name", text: g.white }), " vs ",
          el("span", { "class": "black-name", text: g.black })]),
        el("p", { "class": "result status-" + g.status, id: "result", text: resultText(g) }),
        status,
        el("div", { "class": "columns" }, [
          el("div", { "class": "board-col", id: "board" }, [board(g, moves), totalsView(g), analysisView(g)]),
          movesView(g, moves)
        ])
      ]);
      app.replaceChildren(view);
      document.title = "Duel Arena - " + g.game_type + " " + g.white + " vs " + g.black;
    }

    function showStatus(text) { status.textContent = text; }

    function mergeMoves(newer, after) {
      moves = moves.filter(function (m) { return m.ply <= after; }).concat(newer);
      moves.sort(function (a, b) { return a.ply - b.ply; });
    }

    function knownPly() {
      // the last ply before the first move still hidden (its reveal must be fetched again)
      var last = -1;
      for (var i = 0; i < moves.length; i++) {
        if (moves[i].hidden) break;
        last = moves[i].ply;
      }
      return last;
    }

    function fetchMoves(g) {
      if (!movesAfter && movesAfter !== null) return Promise.resolve(g.moves || []);
      if (movesAfter === null && !game) return Promise.resolve(g.moves || []); // first load: the view has them
      var after = knownPly();
      return fetch(apiUrl("/games/" + encodeURIComponent(id) + "/moves?after=" + after), { cache: "no-store" })
        .then(function (r) {
          if (r.status !== 200) throw new Error("no moves?after");
          return r.json();
        })
        .then(function (body) {
          var list = Array.isArray(body) ? body : (body.moves || body.items);
          if (!Array.isArray(list)) throw new Error("unexpected moves answer");
          movesAfter = true;
          mergeMoves(list, after);
          return null;
        })
        .catch(function () {
          movesAfter = false;
          return g.moves || [];
        });
    }

    function schedule(changed) {
      if (stopped) return;
      delay = changed ? FAST_MS : Math.min(Math.round(delay * 1.5), MAX_MS);
      timer = setTimeout(poll, delay);
      showStatus("following live \u00b7 next check in " + (delay / 1000).toFixed(1) + " s \u00b7 " +
        polls.total + " polls, " + polls.notModified + " answered 304 \u00b7 " + (etag ? "conditional (ETag)" : "plain polling"));
    }

    function poll() {
      if (stopped) return;
      polls.total++;
      var headers = { Accept: "application/json" };
      var sentEtag = conditional && etag;
      if (sentEtag) headers["If-None-Match"] = etag;
      fetch(apiUrl("/games/" + encodeURIComponent(id)), { cache: "no-store", headers: headers })
        .then(function (r) {
          if (r.status === 304) {
            polls.notModified++;
            polls.unchanged++;
            return schedule(false);
          }
          return r.json().catch(function () { return null; }).then(function (body) {
            if (!r.ok) {
              var text = errorText(r.status, body);
              if (r.status === 404 || r.status === 400) {
                stopped = true;
                app.replaceChildren(el("p", { "class": "error", id: "game-error", text: text }),
                  el("p", {}, [el("a", { href: "#/", text: "\u2190 all games" })]));
                return null;
              }
              showStatus("error: " + text + " \u00b7 retrying");
              return schedule(false);
            }
            etag = r.headers.get("ETag") || null;
            var analysed = !!body.analysis && !(game && game.analysis);
            var changed = !game || body.version !== game.version || body.ply !== game.ply || body.status !== game.status ||
              analysed;
            if (!changed) {
              polls.unchanged++;
              return schedule(false);
            }
            // The analysis rewrites earlier moves: take them all from the game view then.
            var movesNow = analysed && body.moves ? Promise.resolve(body.moves) : fetchMoves(body);
            return movesNow.then(function (viewMoves) {
              if (viewMoves) moves = viewMoves.slice().sort(function (a, b) { return a.ply - b.ply; });
              game = body;
              render();
              if (OVER[body.status]) {
                polls.overAt = polls.overAt || polls.total;
                if (body.status === "finished" && ANALYSED[body.game_type] && !body.analysis &&
                    polls.total < polls.overAt + ANALYSIS_WAIT_POLLS) {
                  showStatus("game over \u00b7 waiting for the move analysis");
                  delay = MAX_MS / 2;
                  timer = setTimeout(poll, delay);
                  return null;
                }
                stopped = true;
                showStatus("game over \u00b7 stopped following after " + polls.total + " polls (" +
                  polls.notModified + " answered 304)");
                return null;
              }
              return schedule(true);
            });
          });
        })
        .catch(function (err) {
          if (sentEtag) conditional = false; // e.g. If-None-Match refused by a CORS preflight: poll plainly
          showStatus("network error: " + err.message + " \u00b7 retrying");
          schedule(false);
        });
    }

    app.replaceChildren(el("p", { "class": "muted", text: "Loading game " + id + "..." }));
    poll();
    return { stop: function () { stopped = true; clearTimeout(timer); } };
  }

  // ---------------------------------------------------------------- routing
  function route() {
    if (current) current.stop();
    var hash = window.location.hash.replace(/^#/, "");
    var match = /^\/games\/([^/?#]+)/.exec(hash);
    var pathMatch = /\/watch\/([^/]+)\/?$/.exec(window.location.pathname);
    if (match) current = showGame(decodeURIComponent(match[1]));
    else if (!hash && pathMatch) current = showGame(decodeURIComponent(pathMatch[1]));
    else current = showList();
  }

  document.getElementById("api-base").textContent = "API: " + (API || window.location.origin) + "/api";
  window.addEventListener("hashchange", route);
  route();
})();
