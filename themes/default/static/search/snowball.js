// The Snowball runtime the generated English stemmer needs: a port of frostem's SnowballEnv.
// Like the Rust original it works on UTF-8 bytes (here a string of byte values), so both
// stem every word, ASCII or not, identically.

function utf8Encode(s) {
  var out = "";
  for (var i = 0; i < s.length; i++) {
    var c = s.codePointAt(i);
    if (c > 0xffff) i++;
    if (c < 0x80) out += String.fromCharCode(c);
    else if (c < 0x800) out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out += String.fromCharCode(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

function utf8Decode(b) {
  var out = "";
  for (var i = 0; i < b.length;) {
    var c = b.charCodeAt(i), cp, n;
    if (c < 0x80) { cp = c; n = 1; }
    else if (c < 0xe0) { cp = c & 31; n = 2; }
    else if (c < 0xf0) { cp = c & 15; n = 3; }
    else { cp = c & 7; n = 4; }
    for (var k = 1; k < n; k++) cp = (cp << 6) | (b.charCodeAt(i + k) & 63);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

function SnowballEnv(word) {
  this.current = utf8Encode(word);
  this.cursor = 0;
  this.limit = this.current.length;
  this.limit_backward = 0;
  this.bra = 0;
  this.ket = 0;
}

SnowballEnv.prototype = {
  byte: function (i) { return this.current.charCodeAt(i); },
  boundary: function (i) {
    return i === 0 || i === this.current.length || (i < this.current.length && (this.current.charCodeAt(i) & 0xc0) !== 0x80);
  },
  codeAt: function (i) {
    var end = i + 1;
    while (end < this.current.length && !this.boundary(end)) end++;
    return utf8Decode(this.current.slice(i, end)).codePointAt(0);
  },
  replace_s: function (bra, ket, s) {
    var adjustment = s.length - (ket - bra);
    this.current = this.current.slice(0, bra) + s + this.current.slice(ket);
    this.limit += adjustment;
    if (this.cursor >= ket) this.cursor += adjustment;
    else if (this.cursor > bra) this.cursor = bra;
    return adjustment;
  },
  eq_s: function (s) {
    if (this.cursor >= this.limit) return false;
    if (this.current.startsWith(s, this.cursor)) {
      this.cursor += s.length;
      while (!this.boundary(this.cursor)) this.cursor++;
      return true;
    }
    return false;
  },
  eq_s_b: function (s) {
    if (this.cursor - this.limit_backward < s.length) return false;
    if (!this.boundary(this.cursor - s.length) || !this.current.startsWith(s, this.cursor - s.length)) return false;
    this.cursor -= s.length;
    return true;
  },
  slice_from: function (s) {
    var bra = this.bra;
    this.replace_s(bra, this.ket, s);
    this.ket = bra + s.length;
  },
  slice_del: function () { this.slice_from(""); },
  next_char: function () {
    this.cursor++;
    while (!this.boundary(this.cursor)) this.cursor++;
  },
  previous_char: function () {
    this.cursor--;
    while (!this.boundary(this.cursor)) this.cursor--;
  },
  hop: function (delta) {
    var res = this.cursor;
    while (delta > 0) {
      delta--;
      if (res >= this.limit) return false;
      res++;
      while (res < this.limit && !this.boundary(res)) res++;
    }
    this.cursor = res;
    return true;
  },
  hop_back: function (delta) {
    var res = this.cursor;
    while (delta > 0) {
      delta--;
      if (res <= this.limit_backward) return false;
      res--;
      while (res > this.limit_backward && !this.boundary(res)) res--;
    }
    this.cursor = res;
    return true;
  },
  member: function (chars, min, max, ch) {
    if (ch > max || ch < min) return false;
    ch -= min;
    return (chars[ch >> 3] & (1 << (ch & 7))) !== 0;
  },
  in_grouping: function (chars, min, max) {
    if (this.cursor >= this.limit) return false;
    if (!this.member(chars, min, max, this.codeAt(this.cursor))) return false;
    this.next_char();
    return true;
  },
  go_in_grouping: function (chars, min, max) {
    while (this.cursor < this.limit) {
      if (!this.member(chars, min, max, this.codeAt(this.cursor))) return true;
      this.next_char();
    }
    return false;
  },
  in_grouping_b: function (chars, min, max) {
    if (this.cursor <= this.limit_backward) return false;
    var c = this.cursor;
    this.previous_char();
    if (!this.member(chars, min, max, this.codeAt(this.cursor))) { this.cursor = c; return false; }
    return true;
  },
  go_in_grouping_b: function (chars, min, max) {
    while (this.cursor > this.limit_backward) {
      var c = this.cursor;
      this.previous_char();
      if (!this.member(chars, min, max, this.codeAt(this.cursor))) { this.cursor = c; return true; }
    }
    return false;
  },
  out_grouping: function (chars, min, max) {
    if (this.cursor >= this.limit) return false;
    if (this.member(chars, min, max, this.codeAt(this.cursor))) return false;
    this.next_char();
    return true;
  },
  go_out_grouping: function (chars, min, max) {
    while (this.cursor < this.limit) {
      if (this.member(chars, min, max, this.codeAt(this.cursor))) return true;
      this.next_char();
    }
    return false;
  },
  out_grouping_b: function (chars, min, max) {
    if (this.cursor <= this.limit_backward) return false;
    var c = this.cursor;
    this.previous_char();
    if (!this.member(chars, min, max, this.codeAt(this.cursor))) return true;
    this.cursor = c;
    return false;
  },
  go_out_grouping_b: function (chars, min, max) {
    while (this.cursor > this.limit_backward) {
      var c = this.cursor;
      this.previous_char();
      if (this.member(chars, min, max, this.codeAt(this.cursor))) { this.cursor = c; return true; }
    }
    return false;
  },
  find_among: function (amongs) {
    var i = 0, j = amongs.length, c = this.cursor, l = this.limit;
    var common_i = 0, common_j = 0, first_key_inspected = false;
    for (;;) {
      var k = i + ((j - i) >> 1), diff = 0, common = Math.min(common_i, common_j), w = amongs[k];
      for (var lvar = common; lvar < w[0].length; lvar++) {
        if (c + common === l) { diff = -1; break; }
        diff = this.current.charCodeAt(c + common) - w[0].charCodeAt(lvar);
        if (diff !== 0) break;
        common++;
      }
      if (diff < 0) { j = k; common_j = common; } else { i = k; common_i = common; }
      if (j - i <= 1) {
        if (i > 0 || j === i || first_key_inspected) break;
        first_key_inspected = true;
      }
    }
    for (;;) {
      var a = amongs[i];
      if (common_i >= a[0].length) { this.cursor = c + a[0].length; return a[2]; }
      i = a[1];
      if (i < 0) return 0;
    }
  },
  find_among_b: function (amongs) {
    var i = 0, j = amongs.length, c = this.cursor, lb = this.limit_backward;
    var common_i = 0, common_j = 0, first_key_inspected = false;
    for (;;) {
      var k = i + ((j - i) >> 1), diff = 0, common = common_i < common_j ? common_i : common_j, w = amongs[k];
      for (var lvar = w[0].length - common - 1; lvar >= 0; lvar--) {
        if (c - common === lb) { diff = -1; break; }
        diff = this.current.charCodeAt(c - common - 1) - w[0].charCodeAt(lvar);
        if (diff !== 0) break;
        common++;
      }
      if (diff < 0) { j = k; common_j = common; } else { i = k; common_i = common; }
      if (j - i <= 1) {
        if (i > 0 || j === i || first_key_inspected) break;
        first_key_inspected = true;
      }
    }
    for (;;) {
      var a = amongs[i];
      if (common_i >= a[0].length) { this.cursor = c - a[0].length; return a[2]; }
      i = a[1];
      if (i < 0) return 0;
    }
  }
};

function stemEnglish(word) {
  var env = new SnowballEnv(word);
  stem(env);
  return utf8Decode(env.current);
}
