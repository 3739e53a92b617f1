/*
 * Chinese search for Material for MkDocs 9.x (tested with 9.8.1).
 * Added to every page by hooks/search_zh.py. Makes no network request except,
 * at most once, search/search_index.json of this same site (see ensureVocab);
 * opened from file:// (the offline copy), none: it reads the index that
 * Material loads there as a script, search/search_index.js (`__index`).
 *
 * 1. Material reads the search box on `keyup` only. A Chinese query committed
 *    from an input method's candidate list with the mouse, pasted with the
 *    context menu, dictated, or inserted by a test driver fires `input` but no
 *    `keyup`, so it never reaches the search worker and the box stays at
 *    "键入以开始搜索". We dispatch a `keyup` after each `input` that is not part
 *    of an IME composition, and after `compositionend`.
 *
 * 2. The worker's "experimental Chinese segmentation" (segment() in
 *    integrations/search/query/segment) never takes a Han run as a whole and
 *    drops everything after the first indexed prefix: 学习率 -> 学习*,
 *    小批量 -> 小*, 随机梯度下降 -> 梯度 随机*. It cannot be configured off. We
 *    rewrite Han runs in the query message before it is posted to the worker:
 *      - segment each run against the index's own vocabulary (the Han tokens
 *        that jieba produced at build time), fewest pieces first;
 *      - a piece may sit inside a longer indexed word (*梯度* also finds
 *        随机梯度下降), an exact token match is boosted (梯度^10); pieces are
 *        OR-ed like Material's own multi-word queries, which ranks sections
 *        holding every piece first and shows the missing ones; function words
 *        such as 的 get neither (的 -> 的*);
 *      - every Han character after a piece's first is escaped with a
 *        backslash, so the worker's segment() only ever sees single
 *        characters and leaves them alone; lunr's query lexer drops the
 *        backslashes again.
 *    Queries without Han characters are passed through untouched.
 */
(function () {
  "use strict"
  if (window.__md_search_zh) return                 /* idempotent */

  var HAN_RUN = /([+-]?)(\p{sc=Han}+)/gu
  var HAN = /\p{sc=Han}/u
  var ONLY_HAN = /^\p{sc=Han}+$/u
  var OPTIONAL = new Set(("的 了 和 与 及 或 是 在 把 被 对 中 之 吗 呢 也 都 就 " +
    "如何 怎么 怎样 什么 为什么 哪些").split(" "))

  var setup = null                                  /* SETUP message data */
  var vocab = null                                  /* Set of Han tokens */
  var maxLen = 1
  var loading = false

  /* -- 1. Every change of the search box reaches the worker --------------- */

  function isQuery(el) {
    return el instanceof HTMLInputElement &&
      el.matches("[data-md-component=search-query]")
  }
  function poke(el) {
    el.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }))
  }
  document.addEventListener("input", function (ev) {
    if (!ev.isComposing && isQuery(ev.target)) poke(ev.target)
  }, true)
  document.addEventListener("compositionend", function (ev) {
    if (isQuery(ev.target)) poke(ev.target)
  }, true)

  /* -- 2. Segment Han runs against the index vocabulary ------------------- */

  function learn(config, docs) {
    var sep = new RegExp(config.separator)
    var words = new Set()
    for (var d = 0; d < docs.length; d++)
      [docs[d].title, docs[d].text].concat(docs[d].tags || []).forEach(function (value) {
        if (typeof value !== "string" || !HAN.test(value)) return
        value.replace(/<[^>]*>/g, " ").toLowerCase().split(sep)
          .forEach(function (token) {
            if (token && ONLY_HAN.test(token)) {
              words.add(token)
              if (token.length > maxLen) maxLen = token.length
            }
          })
      })
    vocab = words
  }

  /* Material posts the index to the worker right after this script has
     loaded; if that happened before, fetch the same file (HTTP cache) once. */
  function ensureVocab() {
    if (vocab || loading) return
    if (setup) {
      learn(setup.config, setup.docs)
      setup = null
      return
    }
    if (window.__index) {                           /* file://: fetch cannot read it */
      learn(window.__index.config, window.__index.docs)
      return
    }
    loading = true
    try {
      var config = JSON.parse(document.getElementById("__config").textContent)
      var base = new URL(config.base, location.href)
      fetch(new URL("search/search_index.json", base))
        .then(function (res) { return res.json() })
        .then(function (data) { learn(data.config, data.docs) })
        .catch(function () { loading = false })
    } catch (err) {
      loading = false
    }
  }

  /* Cover as many characters as possible with indexed words, in as few words
     as possible; characters not in the index stay together as one piece. */
  function segment(run) {
    var n = run.length, cost = [0], from = [0], known = [true]
    for (var i = 1; i <= n; i++) {
      cost[i] = cost[i - 1] + 1000
      from[i] = i - 1
      known[i] = false
      for (var j = Math.max(0, i - maxLen); j < i; j++)
        if (cost[j] + 1 < cost[i] && vocab.has(run.slice(j, i))) {
          cost[i] = cost[j] + 1
          from[i] = j
          known[i] = true
        }
    }
    var pieces = []
    for (var k = n, glue = false; k > 0; k = from[k]) {
      var piece = run.slice(from[k], k)
      if (!known[k] && glue) pieces[0] = piece + pieces[0]
      else pieces.unshift(piece)
      glue = !known[k]
    }
    return pieces
  }

  function escape(word) {
    return word.charAt(0) + word.slice(1).replace(/./gu, "\\$&")
  }

  function rewrite(query) {
    if (!HAN.test(query)) return query
    ensureVocab()
    return query.replace(/"/g, " ").replace(HAN_RUN, function (_, mod, run, at, all) {
      var before = ""                               /* a-张量: "-" is no modifier */
      if (mod && at > 0 && !/\s/.test(all.charAt(at - 1))) {
        before = mod
        mod = ""
      }
      var pieces = vocab ? segment(run.toLowerCase()) : [run]
      return before + " " + pieces.map(function (piece) {
        var word = escape(piece)
        if (mod) return mod + "*" + word + "*"        /* +required, -prohibited */
        if (pieces.length > 1 && OPTIONAL.has(piece)) return word
        return "*" + word + " " + word + "^10"
      }).join(" ") + " "
    }).replace(/\s+/g, " ").trim()
  }

  var post = Worker.prototype.postMessage
  var worker = null                                 /* Material's search worker */
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === 0 && message.data &&
        message.data.config && Array.isArray(message.data.docs)) {
      worker = this                                 /* SETUP */
      setup = message.data
      vocab = null
    } else if (message && message.type === 2 &&     /* QUERY */
               typeof message.data === "string" &&
               (worker === null || worker === this)) {
      arguments[0] = { type: 2, data: rewrite(message.data) }
    }
    return post.apply(this, arguments)
  }

  window.__md_search_zh = { rewrite: rewrite }
})()
