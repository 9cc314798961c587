// ---------------------------------------------------------------------------------------
// Analysis: the same as src/search/analyzer.rs.
var MAX_TERM_LEN = 40;
var STOP_WORDS = ["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
  "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with"];
var ALNUM = /^[\p{Alphabetic}\p{N}]$/u;
var ALPHA = /^\p{Alphabetic}$/u;
var MARK = /^\p{M}$/u;
var FOLDS = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i", "\u2019": "'", "\u2018": "'" };

function isCjk(cp) {
  return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff);
}

function isWordChar(ch) { return ALNUM.test(ch) && !isCjk(ch.codePointAt(0)); }

function fold(word) {
  var out = "";
  for (var ch of word) {
    for (var c of ch.toLowerCase()) {
      if (FOLDS[c] !== undefined) out += FOLDS[c];
      else if (c.charCodeAt(0) < 0x80) out += c;
      else for (var m of c.normalize("NFKD")) if (!MARK.test(m)) out += m;
    }
  }
  return out;
}

function utf8Length(s) { return utf8Encode(s).length; }

function termOfFolded(folded) {
  if (!folded || utf8Length(folded) > MAX_TERM_LEN || STOP_WORDS.indexOf(folded) >= 0) return null;
  var word = folded.replace(/'+$/, "");
  for (var c of word) if (!ALPHA.test(c) && c !== "'") return word;
  return stemEnglish(word);
}

// Calls emit({term, surface, position, start, end}) for each token of text; start and end
// are indexes into the string (UTF-16).
function analyze(text, emit) {
  var chars = Array.from(text), offsets = [], at = 0, position = 0, i = 0;
  for (var k = 0; k < chars.length; k++) { offsets.push(at); at += chars[k].length; }
  offsets.push(at);
  while (i < chars.length) {
    var ch = chars[i], cp = ch.codePointAt(0);
    if (isCjk(cp)) {
      var run = [];
      while (i < chars.length && isCjk(chars[i].codePointAt(0))) run.push(i++);
      if (run.length === 1) {
        emit({ term: chars[run[0]], surface: chars[run[0]], position: position++, start: offsets[run[0]], end: offsets[run[0] + 1] });
      } else {
        for (var r = 0; r + 1 < run.length; r++) {
          var bigram = chars[run[r]] + chars[run[r + 1]];
          emit({ term: bigram, surface: bigram, position: position++, start: offsets[run[r]], end: offsets[run[r + 1] + 1] });
        }
      }
    } else if (isWordChar(ch)) {
      var start = i;
      while (i < chars.length) {
        if (isWordChar(chars[i])) i++;
        else if ((chars[i] === "'" || chars[i] === "\u2019") && i + 1 < chars.length && isWordChar(chars[i + 1])) i++;
        else break;
      }
      var surface = fold(chars.slice(start, i).join(""));
      var term = termOfFolded(surface);
      if (term !== null) {
        emit({ term: term, surface: surface.replace(/'+$/, ""), position: position, start: offsets[start], end: offsets[i] });
      }
      position++;
    } else {
      i++;
    }
  }
}

function terms(text) {
  var out = [];
  analyze(text, function (t) { out.push(t.term); });
  return out;
}

// Slugs, as src/model/slug.rs makes them.
function slugify(text) {
  var slug = "", pending = false;
  for (var ch of text.normalize("NFKC")) {
    for (var c of ch.toLowerCase()) {
      if (ALNUM.test(c)) {
        if (pending && slug) slug += "-";
        pending = false;
        slug += c;
      } else {
        pending = true;
      }
    }
  }
  if (slug) return slug;
  var parts = [];
  for (var s of text) if (!/\s/.test(s) && s !== "-" && s !== "_") parts.push("u" + s.codePointAt(0).toString(16));
  return parts.join("-");
}

// Code-point order, the order of Rust strings (UTF-16 code units sort differently).
function cmp(a, b) {
  var x = Array.from(a), y = Array.from(b);
  for (var i = 0; i < x.length && i < y.length; i++) {
    var d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d < 0 ? -1 : 1;
  }
  return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// The query language: the same as src/search/query.rs.
var FALLBACK_BELOW = 10;

function phraseOf(text) {
  var p = { terms: [], gaps: [] }, first = null;
  analyze(text, function (t) {
    if (first === null) first = t.position;
    p.gaps.push(t.position - first);
    p.terms.push(t.term);
  });
  return p.terms.length ? p : null;
}

function queryTokens(query) {
  var out = [], cur = "", quoted = false;
  for (var c of query) {
    if (c === '"') { cur += c; quoted = !quoted; }
    else if (/\s/.test(c) && !quoted) { if (cur) { out.push(cur); cur = ""; } }
    else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

var FILTER_KEYS = { tag: "tag", tags: "tag", service: "service", services: "service", severity: "severity", sev: "severity", year: "year" };

function filterOf(token) {
  var i = token.indexOf(":");
  if (i < 0 || i === token.length - 1) return null;
  var key = FILTER_KEYS[token.slice(0, i).toLowerCase()];
  return key ? [key, token.slice(i + 1)] : null;
}

function trimQuotes(s) { return s.replace(/^"+|"+$/g, ""); }

function parseQuery(query) {
  var q = { words: [], phrases: [], excluded: [], filters: { tags: [], services: [], severities: [], years: [] } };
  var typing = !/\s$/.test(query);
  var raw = queryTokens(query), lastPlain = -1;
  raw.forEach(function (t, i) { if (t[0] !== "-" && t[0] !== '"' && !filterOf(t)) lastPlain = i; });
  raw.forEach(function (token, i) {
    var f;
    if (token[0] === "-" && token.length > 1) {
      var ex = phraseOf(trimQuotes(token.slice(1)));
      if (ex) q.excluded.push(ex);
    } else if (token[0] === '"') {
      var inner = trimQuotes(token), p = phraseOf(inner);
      if (p && p.terms.length === 1) q.words.push({ term: p.terms[0], surface: fold(inner.trim()), prefix: false });
      else if (p) q.phrases.push(p);
    } else if ((f = filterOf(token))) {
      if (f[0] === "tag") q.filters.tags.push(slugify(f[1]));
      else if (f[0] === "service") q.filters.services.push(slugify(f[1]));
      else if (f[0] === "severity") q.filters.severities.push(slugify(f[1]));
      else if (/^[+-]?\d+$/.test(f[1])) q.filters.years.push(parseInt(f[1], 10));
    } else {
      var words = [];
      analyze(token, function (t) { words.push({ term: t.term, surface: t.surface, prefix: false }); });
      if (typing && i === lastPlain && words.length) words[words.length - 1].prefix = true;
      q.words = q.words.concat(words);
    }
  });
  return q;
}

function samePhrase(a, b) {
  return a.terms.join("\u0001") === b.terms.join("\u0001") && a.gaps.join(",") === b.gaps.join(",");
}

// Consecutive words spelling a multi-word member of a synonym group (query.rs synonym_spans).
function synonymSpans(words, table) {
  var groups = table.map(function (g) { return g.map(phraseOf).filter(Boolean); });
  var spans = [], i = 0;
  while (i < words.length) {
    var spells = function (p) {
      return p.terms.length >= 2 && p.terms.length <= words.length - i &&
        p.terms.every(function (t, k) { return t === words[i + k].term; });
    };
    var len = 0;
    groups.forEach(function (g) { g.forEach(function (p) { if (spells(p) && p.terms.length > len) len = p.terms.length; }); });
    if (!len) { i++; continue; }
    var alternatives = [];
    groups.forEach(function (g) {
      var own = function (p) { return p.terms.length === len && spells(p); };
      if (!g.some(own)) return;
      g.forEach(function (p) {
        if (!own(p) && !alternatives.some(function (a) { return samePhrase(a, p); })) alternatives.push(p);
      });
    });
    spans.push({ start: i, len: len, alternatives: alternatives });
    i += len;
  }
  return spans;
}

function synonymsOf(word, table) {
  var out = [];
  table.forEach(function (group) {
    var members = group.map(phraseOf);
    var hit = group.some(function (m, k) {
      var p = members[k];
      return p && (fold(m) === word.surface || (p.terms.length === 1 && p.terms[0] === word.term));
    });
    if (!hit) return;
    members.forEach(function (p) {
      if (!p) return;
      var self = p.terms.length === 1 && p.terms[0] === word.term;
      if (!self && !out.some(function (o) { return samePhrase(o, p); })) out.push(p);
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// The static index: data files register themselves with add(); a missing piece is recorded
// in `wanted` so the next round of loading fetches it.
var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var B64_INDEX = {};
for (var bi = 0; bi < 64; bi++) B64_INDEX[B64[bi]] = bi;

function unbase64(s) {
  var out = [], bits = 0, value = 0;
  for (var i = 0; i < s.length; i++) {
    value = (value << 6) | B64_INDEX[s[i]];
    bits += 6;
    if (bits >= 8) { bits -= 8; out.push((value >> bits) & 255); }
  }
  return out;
}

function Reader(bytes) { this.b = bytes; this.i = 0; }
Reader.prototype.varint = function () {
  var v = 0, shift = 0, b;
  do { b = this.b[this.i++]; v += (b & 127) * Math.pow(2, shift); shift += 7; } while (b >= 128);
  return v;
};
Reader.prototype.done = function () { return this.i >= this.b.length; };

var data = {};
var waiting = {};

function add(key, value) {
  data[key] = value;
  (waiting[key] || []).forEach(function (f) { f(value); });
  delete waiting[key];
}

// Where the last chunk starting at or before `key` is (chunk starts are sorted).
function chunkOf(starts, key) {
  var lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    var mid = (lo + hi + 1) >> 1;
    if (cmp(starts[mid], key) <= 0) lo = mid; else hi = mid - 1;
  }
  return lo;
}

function fnv1a(text) {
  var bytes = utf8Encode(text), h = 0x811c9dc5;
  for (var i = 0; i < bytes.length; i++) {
    h ^= bytes.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// A phrase's key in the synonym phrase files (static_index.rs phrase_key).
function phraseKey(p) { return p.terms.join(" ") + "/" + p.gaps.join(","); }

// Append the postings ({doc, field, tf, norm}) of a base64 list to `out`.
function decodePostings(b64, out) {
  var r = new Reader(unbase64(b64)), doc = 0;
  while (!r.done()) {
    doc += r.varint();
    var mask = r.varint();
    for (var f = 0; f < 5; f++) {
      if (mask & (1 << f)) {
        var tf = r.varint(), norm = r.b[r.i++];
        out.push({ doc: doc, field: f, tf: tf, norm: norm });
      }
    }
  }
  return out;
}

// The tail files of a term: "t" and its hash in base 36 (static_index.rs tail_key).
function tailKey(term) { return "t" + fnv1a(term).toString(36); }

function typoKeys(word) {
  var c = Array.from(word), n = c.length;
  return ["p" + c.slice(0, 2).join("") + n, "s" + c.slice(Math.max(0, n - 2)).join("") + n];
}

// A Source over the loaded files, with the same methods as the Rust trait.
function StaticSource(manifest, needTails) {
  this.m = manifest;
  this.needTails = needTails;
  this.wanted = {};
  this.decoded = {};
}

StaticSource.prototype = {
  want: function (key) { if (data[key] === undefined) this.wanted[key] = true; return data[key]; },
  numDocs: function () { return this.m.n; },
  entry: function (term) {
    var k = fnv1a(term) % this.m.post, shard = this.want("p" + k);
    if (!shard) return null;
    return shard[term] ? { shard: k, e: shard[term] } : { shard: k, e: null };
  },
  // Whether `term` may have a tail (static_index.rs tails_filter): a query that needs
  // complete postings fetches it with the term's shard.
  mayHaveTail: function (term) {
    var bits = this.tailBits || (this.tailBits = unbase64(this.m.tails));
    var m = bits.length * 8, h1 = fnv1a(term), h2 = (fnv1a(term + "\u0001") | 1) >>> 0;
    for (var i = 0; i < 7; i++) {
      var bit = (h1 + i * h2) % m;
      if (!(bits[Math.floor(bit / 8)] & (1 << (bit % 8)))) return false;
    }
    return true;
  },
  // An entry's parts: main postings, inline positions, document frequencies (tailed only).
  parts: function (e) {
    if (typeof e === "string") return { main: e, inline: null, df: null };
    if (typeof e[1] === "string") return { main: e[0], inline: e[1], df: null };
    return { main: e[0], inline: null, df: e[1] };
  },
  postings: function (term) {
    if (this.decoded[term]) return this.decoded[term];
    var found = this.entry(term), empty = { df: [0, 0, 0, 0, 0], postings: [], complete: true };
    if (!found) {
      if (this.needTails && this.mayHaveTail(term)) this.want("p" + tailKey(term));
      return empty;
    }
    if (!found.e) return (this.decoded[term] = empty);
    var e = this.parts(found.e), postings = [], complete = !e.df, pieces = [e.main];
    if (!complete && this.needTails) {
      var tail = this.want("p" + tailKey(term));
      if (tail) { pieces.push(tail[term]); complete = true; }
    }
    pieces.forEach(function (b64) { decodePostings(b64, postings); });
    postings.sort(function (a, b) { return a.doc - b.doc || a.field - b.field; });
    var out = { df: e.df || dfOf(postings), postings: postings, complete: complete };
    if (complete || !this.needTails) this.decoded[term] = out;
    return out;
  },
  // A term's document frequencies per field, from its shard alone (a stem with a tail
  // carries them; otherwise its postings there are all of them).
  df: function (term) {
    if (this.decoded[term]) return this.decoded[term].df;
    var found = this.entry(term);
    if (!found) return null;
    if (!found.e) return [0, 0, 0, 0, 0];
    var e = this.parts(found.e);
    return e.df || dfOf(decodePostings(e.main, []));
  },
  // Whether `phrase` is a multi-word synonym, whose occurrences have a file of their own.
  isSynonymPhrase: function (phrase) {
    if (!this.synonymPhrases) {
      var set = this.synonymPhrases = {};
      this.m.syn.forEach(function (g) {
        g.forEach(function (m) { var p = phraseOf(m); if (p && p.terms.length > 1) set[phraseKey(p)] = true; });
      });
    }
    return this.synonymPhrases[phraseKey(phrase)] === true;
  },
  // Per term of a synonym phrase, its postings in the postmortems holding the phrase.
  phrasePostings: function (phrase) {
    var key = phraseKey(phrase), file = this.want("s" + fnv1a(key).toString(36));
    return file ? file[key].map(function (b64) { return decodePostings(b64, []); }) : null;
  },
  positions: function (term, doc, field) {
    var key = "pos:" + term;
    if (!this.decoded[key]) {
      var found = this.entry(term);
      if (!found || !found.e) return [];
      var e = this.parts(found.e), pieces = [];
      if (e.inline !== null) pieces.push([e.main, e.inline]);
      else {
        var x = this.want("x" + found.shard);
        if (x) pieces.push([e.main, x[term]]);
      }
      if (e.df) {
        var tk = tailKey(term), tail = this.want("p" + tk), tailPositions = this.want("x" + tk);
        if (tail && tailPositions) pieces.push([tail[term], tailPositions[term]]);
      }
      if (pieces.length < (e.df ? 2 : 1)) return [];
      var map = {};
      pieces.forEach(function (piece) {
        var r = new Reader(unbase64(piece[0])), pr = new Reader(unbase64(piece[1])), doc = 0;
        while (!r.done()) {
          doc += r.varint();
          var mask = r.varint();
          for (var f = 0; f < 5; f++) {
            if (!(mask & (1 << f))) continue;
            var tf = r.varint();
            r.i++;
            var list = [], last = 0;
            for (var t = 0; t < tf; t++) { last += pr.varint(); list.push(last); }
            map[doc + ":" + f] = list;
          }
        }
      });
      this.decoded[key] = map;
    }
    return this.decoded[key][doc + ":" + field] || [];
  },
  prefixSurfaces: function (prefix) {
    var out = [], starts = this.m.dict, first = chunkOf(starts, prefix);
    // Words with the prefix start in the chunk where the prefix sorts, and continue through
    // the following chunks whose first word still has the prefix.
    for (var k = first; k < starts.length && (k === first || starts[k].startsWith(prefix)); k++) {
      var chunk = this.want("d" + k);
      if (!chunk) continue;
      for (var i = 0; i < chunk.length; i++) {
        if (chunk[i][0].startsWith(prefix)) out.push([chunk[i][0], chunk[i][2]]);
      }
    }
    return out;
  },
  typoCandidates: function (word) {
    var c = Array.from(word), n = c.length, out = [], seen = {}, self = this;
    var first = c.slice(0, 2).join(""), last = c.slice(Math.max(0, n - 2)).join("");
    for (var len = n - 1; len <= n + 1; len++) {
      ["p" + first + len, "s" + last + len].forEach(function (key) {
        var shard = self.want("y" + (fnv1a(key) % self.m.typo));
        if (!shard || !shard[key]) return;
        shard[key].forEach(function (w) {
          if (!seen[w[0]]) { seen[w[0]] = true; out.push(w); }
        });
      });
    }
    return out;
  },
  facets: function () {
    if (this.decoded.facets) return this.decoded.facets;
    var tags = this.want("ftag"), services = this.want("fservice"), num = this.want("fnum");
    if (!tags || !services || !num) return null;
    var n = this.m.n, facets = [];
    for (var d = 0; d < n; d++) facets.push({ tags: [], services: [], severity: null, year: 0, day: 0, minutes: 0 });
    var self = this;
    [["tag", tags, "tags"], ["service", services, "services"]].forEach(function (spec) {
      spec[1].forEach(function (b64, v) {
        var r = new Reader(unbase64(b64)), doc = 0, slug = self.m.facets[spec[0]][v][0];
        while (!r.done()) { doc += r.varint(); facets[doc][spec[2]].push(slug); }
      });
    });
    var r = new Reader(unbase64(num)), sev = this.m.facets.severity;
    for (var doc = 0; doc < n; doc++) {
      facets[doc].day = r.varint();
      facets[doc].minutes = r.varint();
      var rank = r.b[r.i++];
      facets[doc].severity = rank < 255 && sev[rank] ? sev[rank][0] : null;
    }
    this.m.years.forEach(function (y, k) {
      var end = k + 1 < self.m.years.length ? self.m.years[k + 1][1] : n;
      for (var d2 = y[1]; d2 < end; d2++) facets[d2].year = y[0];
    });
    return (this.decoded.facets = facets);
  },
  passes: function (doc, filters) {
    if (!filters.tags.length && !filters.services.length && !filters.severities.length && !filters.years.length) return true;
    var all = this.facets();
    if (!all) return false;
    var f = all[doc];
    function any(wanted, have) { return !wanted.length || wanted.some(function (w) { return have.indexOf(w) >= 0; }); }
    return any(filters.tags, f.tags) && any(filters.services, f.services) &&
      (!filters.severities.length || (f.severity !== null && filters.severities.indexOf(f.severity) >= 0)) &&
      (!filters.years.length || filters.years.indexOf(f.year) >= 0);
  },
  synonyms: function () { return this.m.syn; }
};

// ---------------------------------------------------------------------------------------
// The engine: the same steps as src/search/engine.rs.
var K1 = 1.2, B = 0.75, SYNONYM_WEIGHT = 0.9, PREFIX_WEIGHT = 0.9, TYPO_WEIGHT = 0.7;
var MAX_PREFIX_TERMS = 10, MAX_TYPO_TERMS = 5, MIN_PREFIX_CHARS = 3, MIN_TYPO_CHARS = 5;

function bm25(m, tf, norm, df, n, avg) {
  var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  var length = m.norms[norm];
  return idf * (tf * (K1 + 1)) / (tf + K1 * (1 - B + B * length / Math.max(avg, 1e-9)));
}

function withinOneEdit(a, b) {
  a = Array.from(a); b = Array.from(b);
  if (a.join("") === b.join("")) return false;
  var s = a.length <= b.length ? a : b, l = a.length <= b.length ? b : a;
  if (l.length - s.length > 1) return false;
  var p = 0;
  while (p < s.length && s[p] === l[p]) p++;
  var rest = function (x, from) { return x.slice(from).join("\u0001"); };
  if (s.length === l.length) {
    return rest(s, p + 1) === rest(l, p + 1) ||
      (p + 1 < s.length && s[p] === l[p + 1] && s[p + 1] === l[p] && rest(s, p + 2) === rest(l, p + 2));
  }
  return rest(s, p) === rest(l, p + 1);
}

function single(term) { return { terms: [term], gaps: [0] }; }

function rankedStems(surfaces, limit, except) {
  surfaces.sort(function (a, b) { return b[1] - a[1] || cmp(a[0], b[0]); });
  var stems = [];
  for (var i = 0; i < surfaces.length && stems.length < limit; i++) {
    var stem = termOfFolded(surfaces[i][0]);
    if (stem !== null && stem !== except && stems.indexOf(stem) < 0) stems.push(stem);
  }
  return stems;
}

function alternatives(word, source) {
  var out = [{ phrase: single(word.term), weight: 1 }];
  function push(phrase, weight) {
    if (!out.some(function (a) { return samePhrase(a.phrase, phrase); })) out.push({ phrase: phrase, weight: weight });
  }
  synonymsOf(word, source.synonyms()).forEach(function (p) { push(p, SYNONYM_WEIGHT); });
  if (word.prefix && Array.from(word.surface).length >= MIN_PREFIX_CHARS) {
    rankedStems(source.prefixSurfaces(word.surface), MAX_PREFIX_TERMS, word.term).forEach(function (t) { push(single(t), PREFIX_WEIGHT); });
  }
  var matched = out.some(function (a) {
    return a.phrase.terms.every(function (t) { return source.postings(t).postings.length > 0; });
  });
  // Whether the word matches is only known once its postings have loaded: decide about typos
  // in the next round rather than fetching typo buckets speculatively.
  if (!matched && Object.keys(source.wanted).length) return out;
  if (!matched && Array.from(word.surface).length >= MIN_TYPO_CHARS) {
    var candidates = source.typoCandidates(word.surface).filter(function (c) {
      return Array.from(c[0]).length >= MIN_TYPO_CHARS - 1 && withinOneEdit(c[0], word.surface);
    });
    rankedStems(candidates, MAX_TYPO_TERMS, word.term).forEach(function (t) { push(single(t), TYPO_WEIGHT); });
  }
  return out;
}

function termScores(term, source, n, avg) {
  var tp = source.postings(term);
  return scoresOf(tp.postings, tp.df, source, n, avg);
}

function dfOf(postings) {
  var df = [0, 0, 0, 0, 0];
  postings.forEach(function (p) { df[p.field]++; });
  return df;
}

// Per-document scores of postings (a term's, or a phrase file's list for one term).
function scoresOf(postings, df, source, n, avg) {
  var out = [];
  postings.forEach(function (p) {
    var s = source.m.boosts[p.field] * bm25(source.m, p.tf, p.norm, df[p.field], n, avg[p.field]);
    var last = out[out.length - 1];
    if (last && last[0] === p.doc) last[1] += s; else out.push([p.doc, s]);
  });
  return out;
}

function phraseScores(phrase, source, n, avg) {
  if (phrase.terms.length > 1 && source.isSynonymPhrase(phrase)) {
    var lists = source.phrasePostings(phrase);
    var dfs = phrase.terms.map(function (t) { return source.df(t); });
    if (!lists || dfs.some(function (d) { return !d; })) return [];
    var scored = lists.map(function (list, k) { return scoresOf(list, dfs[k], source, n, avg); });
    return scored[0].map(function (x, i) {
      var score = 0;
      scored.forEach(function (l) { score += l[i][1]; });
      return [x[0], score];
    });
  }
  var perTerm = phrase.terms.map(function (t) { return termScores(t, source, n, avg); });
  if (phrase.terms.length === 1) return perTerm[0];
  var docs = perTerm[0].map(function (x) { return x[0]; });
  perTerm.slice(1).forEach(function (list) {
    var set = {};
    list.forEach(function (x) { set[x[0]] = true; });
    docs = docs.filter(function (d) { return set[d]; });
  });
  var out = [];
  docs.forEach(function (doc) {
    var occurs = false;
    for (var field = 0; field < 5 && !occurs; field++) {
      var first = source.positions(phrase.terms[0], doc, field);
      var rest = phrase.terms.slice(1).map(function (t) { return source.positions(t, doc, field); });
      occurs = first.some(function (p) {
        return rest.every(function (list, k) { return list.indexOf(p + phrase.gaps[k + 1]) >= 0; });
      });
    }
    if (occurs) {
      var score = 0;
      perTerm.forEach(function (list) {
        for (var i = 0; i < list.length; i++) if (list[i][0] === doc) { score += list[i][1]; break; }
      });
      out.push([doc, score]);
    }
  });
  return out;
}

function scoreKey(score) { return Math.round(score * 1e6); }

// Summed word scores and matched words of a postmortem (engine.rs word_scores).
function wordScores(doc, wordMaps, spans, spanMaps) {
  var score = 0, matched = 0, w = 0, next = 0;
  while (w < wordMaps.length) {
    var len = next < spans.length && spans[next].start === w ? spans[next].len : 1;
    var s = 0, k = 0;
    for (var i = w; i < w + len; i++) if (wordMaps[i].has(doc)) { s += wordMaps[i].get(doc); k++; }
    if (len > 1) {
      var m = spanMaps[next++];
      if (m.has(doc) && (len > k || m.get(doc) > s)) { s = m.get(doc); k = len; }
    }
    score += s; matched += k; w += len;
  }
  return [score, matched];
}

// Evaluate a parsed query against a source; sort is "relevance" or "date".
function evaluate(query, source, sort) {
  var n = source.numDocs(), avg = source.m.avg, termsSeen = [];
  function note(terms) { terms.forEach(function (t) { if (termsSeen.indexOf(t) < 0) termsSeen.push(t); }); }
  var wordMaps = query.words.map(function (word) {
    var best = new Map();
    alternatives(word, source).forEach(function (alt) {
      note(alt.phrase.terms);
      phraseScores(alt.phrase, source, n, avg).forEach(function (x) {
        var s = x[1] * alt.weight;
        if (!best.has(x[0]) || s > best.get(x[0])) best.set(x[0], s);
      });
    });
    return best;
  });
  var spans = synonymSpans(query.words, source.synonyms());
  var spanMaps = spans.map(function (span) {
    var best = new Map();
    span.alternatives.forEach(function (p) {
      note(p.terms);
      phraseScores(p, source, n, avg).forEach(function (x) {
        var s = x[1] * SYNONYM_WEIGHT;
        if (!best.has(x[0]) || s > best.get(x[0])) best.set(x[0], s);
      });
    });
    return best;
  });
  var phraseMaps = query.phrases.map(function (p) {
    note(p.terms);
    return new Map(phraseScores(p, source, n, avg));
  });
  var excluded = new Set();
  query.excluded.forEach(function (p) { phraseScores(p, source, n, avg).forEach(function (x) { excluded.add(x[0]); }); });
  var f = query.filters, candidates;
  if (wordMaps.length) {
    var set = new Set();
    wordMaps.concat(spanMaps).forEach(function (m) { m.forEach(function (_, d) { set.add(d); }); });
    candidates = Array.from(set);
  } else if (phraseMaps.length) {
    candidates = Array.from(phraseMaps[0].keys());
  } else if (f.tags.length || f.services.length || f.severities.length || f.years.length) {
    candidates = [];
    for (var d = 0; d < n; d++) candidates.push(d);
  } else {
    candidates = [];
  }
  candidates.sort(function (a, b) { return a - b; });
  var words = wordMaps.length, full = [], partial = [];
  candidates.forEach(function (doc) {
    if (excluded.has(doc) || !phraseMaps.every(function (m) { return m.has(doc); }) || !source.passes(doc, f)) return;
    var ws = wordScores(doc, wordMaps, spans, spanMaps), score = ws[0], matched = ws[1];
    phraseMaps.forEach(function (m) { score += m.get(doc); });
    (matched === words ? full : partial).push({ doc: doc, score: score, words: matched });
  });
  var hits = full;
  if (hits.length < FALLBACK_BELOW && words >= 2) {
    var needed = Math.ceil(words / 2);
    hits = hits.concat(partial.filter(function (h) { return h.words >= needed; }));
  }
  if (sort === "date") hits.sort(function (a, b) { return a.doc - b.doc; });
  else hits.sort(function (a, b) {
    return ((b.words === words) - (a.words === words)) || (b.words - a.words) ||
      (scoreKey(b.score) - scoreKey(a.score)) || (a.doc - b.doc);
  });
  return { hits: hits, terms: termsSeen };
}

// A single word, ranked by relevance, with no phrase, exclusion or filter: its best results
// are among the highest-impact postings of each of its alternatives (a multi-word synonym's
// occurrences are complete in its own file), so the tails of common terms are not needed
// (see static_index.rs).
function plainWord(query, manifest) {
  var f = query.filters;
  return query.words.length === 1 && !query.phrases.length && !query.excluded.length &&
    !f.tags.length && !f.services.length && !f.severities.length && !f.years.length;
}

// Load what a query needs, round by round, then evaluate it. `load(keys)` fetches data files
// and resolves when they have registered. Options: sort, exact (always read every posting,
// for counts and facets).
function search(manifest, queryText, options, load) {
  options = options || {};
  var query = typeof queryText === "string" ? parseQuery(queryText) : queryText;
  var needTails = !!options.exact || options.sort === "date" || !plainWord(query, manifest);
  var rounds = 0;
  function attempt() {
    var source = new StaticSource(manifest, needTails);
    var result = evaluate(query, source, options.sort);
    var keys = Object.keys(source.wanted);
    if (!keys.length) {
      result.total = result.hits.length;
      result.complete = needTails;
      result.rounds = rounds;
      result.query = query;
      result.source = source;
      return Promise.resolve(result);
    }
    rounds++;
    if (rounds > 12) return Promise.reject(new Error("search index incomplete: " + keys.join(", ")));
    return load(keys).then(attempt);
  }
  return attempt();
}

// File of a data key: p12 → search/p/12.js, ftag → search/f/tag.js, manifest → search/manifest.js.
function fileOf(key) {
  if (key === "manifest") return "search/manifest.js";
  return "search/" + key[0] + "/" + key.slice(1) + ".js";
}

function cardsOf(manifest, docs, load) {
  var files = {};
  docs.forEach(function (d) { files["c" + Math.floor(d / manifest.cards)] = true; });
  var keys = Object.keys(files).filter(function (k) { return data[k] === undefined; });
  return (keys.length ? load(keys) : Promise.resolve()).then(function () {
    return docs.map(function (d) {
      var c = data["c" + Math.floor(d / manifest.cards)][d % manifest.cards];
      return { doc: d, title: c[0], url: c[1], date: c[2], severity: c[3], rank: c[4], summary: c[5], excerpt: c[6] };
    });
  });
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
}

// The most relevant stretch of a card's text, with matching words in <mark>.
function snippet(card, terms, words) {
  words = words || 26;
  var text = card.summary + (card.excerpt ? " … " + card.excerpt : ""), tokens = [];
  analyze(text, function (t) { tokens.push({ start: t.start, end: t.end, hit: terms.indexOf(t.term) >= 0 }); });
  if (!tokens.length) return escapeHtml(text.slice(0, 200));
  var best = 0, bestHits = -1;
  for (var i = 0; i < tokens.length; i++) {
    var hits = 0;
    for (var j = i; j < tokens.length && j < i + words; j++) if (tokens[j].hit) hits++;
    if (hits > bestHits) { bestHits = hits; best = i; }
    if (i === 0 && !tokens[0].hit && hits === 0) break;
  }
  var firstHit = best;
  while (firstHit < tokens.length && !tokens[firstHit].hit) firstHit++;
  var from = bestHits > 0 ? Math.max(0, firstHit - 3) : 0, to = Math.min(tokens.length, from + words);
  var start = from === 0 ? 0 : tokens[from].start, end = to === tokens.length ? text.length : tokens[to - 1].end;
  var out = start > 0 ? "… " : "", at = start;
  for (var k = from; k < to; k++) {
    out += escapeHtml(text.slice(at, tokens[k].start));
    var w = escapeHtml(text.slice(tokens[k].start, tokens[k].end));
    out += tokens[k].hit ? "<mark>" + w + "</mark>" : w;
    at = tokens[k].end;
  }
  out += escapeHtml(text.slice(at, end));
  return out + (end < text.length ? " …" : "");
}
