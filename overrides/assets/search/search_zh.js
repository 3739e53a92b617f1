/*
 * Search that answers questions, for Material for MkDocs 9.x (tested with 9.8.1),
 * in every language; Chinese queries in particular.
 * Added to every page by mkdocs.yml (extra_javascript). Makes no network request except,
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
 * 2. A learner types a question, not a term. The query message (type 2) is
 *    rewritten before it is posted to the worker:
 *      - Han runs are segmented against the index's own vocabulary (the Han
 *        tokens that jieba produced at build time), fewest pieces first. (The
 *        worker's own "experimental Chinese segmentation", segment() in
 *        integrations/search/query/segment, never takes a run as a whole:
 *        学习率 -> 学习*, 随机梯度下降 -> 梯度 随机*; it cannot be configured
 *        off.) Every Han character after a piece's first is escaped with a
 *        backslash, so that segment() only ever sees single characters and
 *        leaves them alone; lunr's query lexer drops the backslashes again.
 *      - Words that only shape the question are dropped (STOP_ZH, STOP_EN:
 *        的 和 吗 什么 怎么 为什么 区别, "what", "vs", "difference" …): in a
 *        question they outnumber its terms, and 的 sits in a heading of every
 *        page. A question made only of them is searched as it is.
 *      - API names count with or without their owner: torch.mm, Tensor.view
 *        and x.view(-1) search mm and view (the names the index holds).
 *      - Each remaining word is OR-ed, as Material does: an exact token counts
 *        ten times a longer token that contains it (view^10 view*, 梯度^10
 *        *梯度, which also finds 随机梯度下降). A leading + or - stays an
 *        operator only before a word: in "view(-1)" or "-1" it is a sign.
 *
 * 3. The worker adds 1 to the post-query boost of a page's own entry (the
 *    page title and the text before its first heading) and squares it, so a
 *    page's entry outscores its sections up to 2.5 times: a question landed
 *    on the top of the page whose title shares a word with it, or on the home
 *    page, instead of the section that answers it. The set-up message (type
 *    0) is passed on with each page entry's document boost divided by 2.5.
 *
 * Where this relies on Material's internals (the two message types, the
 * worker's page bonus), tests/test_theme_reliance.py and tests/test_search.py
 * check it; tests/search_questions.yml measures the ranking.
 */
(function () {
  "use strict"
  if (window.__md_search_zh) return                 /* idempotent */

  var HAN = /\p{sc=Han}/u
  var ONLY_HAN = /^\p{sc=Han}+$/u

  /* Words that carry the shape of a question, not its subject: a question's
     content words must decide the ranking, not these (的 alone is in every
     section, 区别 or "difference" in the long chapters). Chinese pieces come
     from segment() below; English words not in lunr's own stop-word list. */
  var STOP_ZH = new Set((
    "的 地 得 了 着 过 和 与 及 跟 同 或 或者 还是 是 是不是 不是 而 而不是 在 把 被 " +
    "对 对于 中 里 里面 之 吗 呢 吧 啊 呀 嘛 么 也 都 就 还 又 要 会 能 能不能 能用 可以 可不可以 " +
    "应该 需要 如何 怎么 怎样 怎么样 怎么办 咋 咋办 办 为什么 为何 为啥 什么 啥 哪 " +
    "哪些 哪个 哪种 哪里 区别 差别 不同 有何 有 有没有 没有 意思 含义 作用 用处 干 " +
    "干什么 干嘛 用 一样 个 这 那 这个 那个 这些 之后 以后 时 时候 后 请问 我 你 它 " +
    "我们 自己 一下 到底 究竟 样 些").split(" "))
  var STOP_EN = new Set((
    "vs versus difference differences different between means meaning " +
    "happen happens happened use using used work works way ways need needs " +
    "needed just first get gets anything something thing things there's " +
    "what's it's don't doesn't isn't can't i'm " +
    /* lunr's English stop words: the Chinese site's pipeline keeps them */
    "a an and are as at be by can could did do does for from had has have how i " +
    "if in into is it its me my of on or should so than that the then there " +
    "these this to was were what when where which while who why will with " +
    "would you your").split(" "))
  /* API names are written with or without their owner: torch.mm, Tensor.view,
     x.detach(): the name is what the index holds a heading for. */
  var QUALIFIER = /^(?:torch|tensor)$/i

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

  /* One piece of the query as lunr clauses: an exact match counts ten times a
     match inside a longer indexed word (梯度 in 随机梯度下降, detach in detached). */
  function clauses(piece, mod) {
    if (ONLY_HAN.test(piece)) {
      var word = escape(piece)
      if (mod) return [mod + "*" + word + "*"]       /* +required, -prohibited */
      return ["*" + word, word + "^10"]
    }
    if (mod) return [mod + piece]
    return piece.length > 1 ? [piece + "^10", piece] : [piece]    /* the worker appends * */
  }

  /* The words of a query: Han runs segmented against the index, everything
     else split like the index splits it, lower-cased; a leading + or - kept
     only where it is an operator (before a word, after a space). */
  function words(query, sep) {
    var out = []
    query.replace(/"/g, " ").split(/\s+/).forEach(function (part) {
      if (!part) return
      var mod = ""
      var m = /^([+-])(?=[\p{L}_])/u.exec(part)
      if (m) { mod = m[1]; part = part.slice(1) }
      /* torch.mm -> mm, Tensor.view -> view, x.detach() -> x detach */
      var names = part.split(/\.(?=[A-Za-z_])/)
      while (names.length > 1 && QUALIFIER.test(names[0])) names.shift()
      names.join(" ").split(sep).forEach(function (token) {
        token.replace(/(\p{sc=Han}+)|([^\p{sc=Han}]+)/gu, function (_, han, other) {
          if (han) {
            var pieces = vocab ? segment(han.toLowerCase()) : [han]
            pieces.forEach(function (p) { out.push({ word: p, mod: mod }) })
          } else {
            other = other.toLowerCase().replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_']+$/gu, "")
            if (other) out.push({ word: other, mod: mod })
          }
        })
      })
    })
    return out
  }

  function stop(word) {
    return STOP_ZH.has(word) || STOP_EN.has(word)
  }

  function rewrite(query) {
    if (HAN.test(query)) ensureVocab()
    var sep = /[\s\u200b\u3000\-、。，．？！；：（）《》【】“”‘’,;:!?=\[\](){}"`/*~^+|<>#%&@$\\]+|\.(?!\d)/
    var all = words(query, sep)
    if (!all.length) return query
    var kept = all.filter(function (w) { return w.mod || !stop(w.word) })
    if (!kept.length) kept = all                    /* a question of stop words only */
    var seen = new Set()
    return kept.filter(function (w) {
      var key = w.mod + w.word
      return seen.has(key) ? false : (seen.add(key), true)
    }).map(function (w) {
      return clauses(w.word, w.mod).join(" ")
    }).join(" ")
  }

  /* -- 3. Sections before pages ------------------------------------------ */

  /* The worker multiplies the score of a page's own entry (its title and the
     text before its first heading) by 2.5 over its sections' when every word
     of the query matches, 2 to 2.6 otherwise (it adds 1 to the post-query
     boost of a document without a parent before squaring it). A
     question then lands on the top of the page whose title shares a word with
     it, or on the home page, not on the section that answers. Each page
     entry's document boost (the one `search: boost:` sets) is divided by that
     factor in the index the worker receives, so a page's entry and its
     sections compete on their words alone. */
  var PAGE_FACTOR = 2.5
  function sections(data) {
    var pages = new Set()
    var docs = data.docs.map(function (doc) {
      var path = String(doc.location).split("#")[0]
      if (pages.has(path)) return doc
      pages.add(path)                               /* the first entry of a path is its page */
      var copy = Object.assign({}, doc)
      copy.boost = (typeof doc.boost === "number" ? doc.boost : 1) / PAGE_FACTOR
      return copy
    })
    return Object.assign({}, data, { docs: docs })
  }

  var post = Worker.prototype.postMessage
  var worker = null                                 /* Material's search worker */
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === 0 && message.data &&
        message.data.config && Array.isArray(message.data.docs)) {
      worker = this                                 /* SETUP */
      setup = message.data
      vocab = null
      arguments[0] = { type: 0, data: sections(message.data) }
    } else if (message && message.type === 2 &&     /* QUERY */
               typeof message.data === "string" &&
               (worker === null || worker === this)) {
      arguments[0] = { type: 2, data: rewrite(message.data) }
    }
    return post.apply(this, arguments)
  }

  window.__md_search_zh = { rewrite: rewrite, sections: sections }
})()
