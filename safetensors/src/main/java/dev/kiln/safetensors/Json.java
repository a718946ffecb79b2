package dev.kiln.safetensors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) over UTF-8 bytes, written for safetensors headers so Kiln
 * needs no JSON library.
 *
 * <p>Values map to {@code Map<String, Object>} (a {@link LinkedHashMap}, keys in document order,
 * duplicate keys rejected), {@code List<Object>}, {@link String}, {@link Long} (numbers without
 * fraction or exponent; out-of-range integers rejected), {@link Double} (other numbers), {@link
 * Boolean} and {@code null}. Input is validated as UTF-8 (overlong forms, surrogates and lone
 * surrogate escapes rejected). Nesting is limited to {@value #MAX_DEPTH} levels so hostile input
 * cannot exhaust the stack, and every step consumes input, so parsing always terminates. Errors
 * carry the byte offset at which the input went wrong.
 */
final class Json {
  /** Deepest allowed nesting of arrays and objects. */
  static final int MAX_DEPTH = 64;

  /** A syntax error at {@link #position()}, a byte offset relative to the parsed range. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int position;

    ParseException(String reason, int position) {
      super(reason + " at byte " + position);
      this.position = position;
    }

    int position() {
      return position;
    }
  }

  private final byte[] in;
  private final int start;
  private final int end;
  private int pos;

  private Json(byte[] in, int start, int end) {
    this.in = in;
    this.start = start;
    this.end = end;
    this.pos = start;
  }

  /** Parses one JSON value filling {@code bytes[offset, offset + length)}, whitespace around it allowed. */
  static Object parse(byte[] bytes, int offset, int length) throws ParseException {
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length);
    }
    Json p = new Json(bytes, offset, offset + length);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos != p.end) {
      throw p.error("unexpected " + p.describeCurrent() + " after the JSON value");
    }
    return value;
  }

  static Object parse(byte[] bytes) throws ParseException {
    return parse(bytes, 0, bytes.length);
  }

  private ParseException error(String reason) {
    return new ParseException(reason, pos - start);
  }

  private String describeCurrent() {
    if (pos >= end) {
      return "end of input";
    }
    int b = in[pos] & 0xFF;
    if (b >= 0x21 && b < 0x7F) {
      return "'" + (char) b + "'";
    }
    return String.format("byte 0x%02X", b);
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  private Object value(int depth) throws ParseException {
    if (pos >= end) {
      throw error("unexpected end of input, expected a value");
    }
    switch (in[pos]) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        if (in[pos] == '-' || (in[pos] >= '0' && in[pos] <= '9')) {
          return number();
        }
        throw error("unexpected " + describeCurrent() + ", expected a value");
    }
  }

  private void literal(String word) throws ParseException {
    for (int i = 0; i < word.length(); i++) {
      if (pos >= end || in[pos] != word.charAt(i)) {
        throw error("invalid literal, expected '" + word + "'");
      }
      pos++;
    }
  }

  private Map<String, Object> object(int depth) throws ParseException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (pos < end && in[pos] == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (pos >= end || in[pos] != '"') {
        throw error("unexpected " + describeCurrent() + ", expected a string key");
      }
      int keyPosition = pos;
      String key = string();
      if (map.containsKey(key)) {
        pos = keyPosition;
        throw error("duplicate key \"" + key + "\"");
      }
      skipWhitespace();
      if (pos >= end || in[pos] != ':') {
        throw error("unexpected " + describeCurrent() + ", expected ':'");
      }
      pos++;
      skipWhitespace();
      map.put(key, value(depth));
      skipWhitespace();
      if (pos < end && in[pos] == ',') {
        pos++;
      } else if (pos < end && in[pos] == '}') {
        pos++;
        return map;
      } else {
        throw error("unexpected " + describeCurrent() + ", expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws ParseException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (pos < end && in[pos] == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value(depth));
      skipWhitespace();
      if (pos < end && in[pos] == ',') {
        pos++;
      } else if (pos < end && in[pos] == ']') {
        pos++;
        return Collections.unmodifiableList(list);
      } else {
        throw error("unexpected " + describeCurrent() + ", expected ',' or ']'");
      }
    }
  }

  private String string() throws ParseException {
    int opening = pos;
    pos++; // '"'
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= end) {
        pos = opening;
        throw error("unterminated string");
      }
      int b = in[pos] & 0xFF;
      if (b == '"') {
        pos++;
        return sb.toString();
      } else if (b == '\\') {
        escape(sb);
      } else if (b < 0x20) {
        throw error(String.format("control character 0x%02X in string", b));
      } else if (b < 0x80) {
        sb.append((char) b);
        pos++;
      } else {
        sb.appendCodePoint(utf8Sequence(b));
      }
    }
  }

  private void escape(StringBuilder sb) throws ParseException {
    int escapeStart = pos;
    pos++; // '\\'
    if (pos >= end) {
      pos = escapeStart;
      throw error("unterminated escape");
    }
    byte c = in[pos++];
    switch (c) {
      case '"' -> sb.append('"');
      case '\\' -> sb.append('\\');
      case '/' -> sb.append('/');
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'u' -> {
        char unit = hex4(escapeStart);
        if (Character.isHighSurrogate(unit)) {
          int lowStart = pos;
          if (pos + 1 < end && in[pos] == '\\' && in[pos + 1] == 'u') {
            pos += 2;
            char low = hex4(lowStart);
            if (!Character.isLowSurrogate(low)) {
              pos = lowStart;
              throw error("high surrogate escape not followed by a low surrogate escape");
            }
            sb.append(unit).append(low);
          } else {
            pos = escapeStart;
            throw error("lone high surrogate escape");
          }
        } else if (Character.isLowSurrogate(unit)) {
          pos = escapeStart;
          throw error("lone low surrogate escape");
        } else {
          sb.append(unit);
        }
      }
      default -> {
        pos = escapeStart;
        throw error("invalid escape");
      }
    }
  }

  private char hex4(int escapeStart) throws ParseException {
    if (end - pos < 4) {
      pos = escapeStart;
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = hexDigit(in[pos]);
      if (d < 0) {
        throw error("invalid hex digit in \\u escape");
      }
      v = (v << 4) | d;
      pos++;
    }
    return (char) v;
  }

  /** Decodes one multi-byte UTF-8 sequence starting with lead byte {@code b} at {@code pos}. */
  private int utf8Sequence(int b) throws ParseException {
    int length;
    int min;
    int cp;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
      min = 0x80;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      min = 0x800;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      min = 0x10000;
      cp = b & 0x07;
    } else {
      throw error(String.format("invalid UTF-8 lead byte 0x%02X", b));
    }
    int leadPosition = pos;
    if (end - pos < length) {
      throw error("truncated UTF-8 sequence");
    }
    for (int i = 1; i < length; i++) {
      int c = in[pos + i] & 0xFF;
      if ((c & 0xC0) != 0x80) {
        pos += i;
        throw error(String.format("invalid UTF-8 continuation byte 0x%02X", c));
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > Character.MAX_CODE_POINT
        || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
      pos = leadPosition;
      throw error("invalid UTF-8 sequence (overlong, surrogate or out of range)");
    }
    pos += length;
    return cp;
  }

  private Object number() throws ParseException {
    int numberStart = pos;
    if (in[pos] == '-') {
      pos++;
    }
    if (pos >= end || !isDigit(in[pos])) {
      throw error("invalid number, expected a digit");
    }
    if (in[pos] == '0') {
      pos++;
      if (pos < end && isDigit(in[pos])) {
        throw error("invalid number, leading zero");
      }
    } else {
      while (pos < end && isDigit(in[pos])) {
        pos++;
      }
    }
    boolean integral = true;
    if (pos < end && in[pos] == '.') {
      integral = false;
      pos++;
      if (pos >= end || !isDigit(in[pos])) {
        throw error("invalid number, expected a digit after '.'");
      }
      while (pos < end && isDigit(in[pos])) {
        pos++;
      }
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      integral = false;
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (pos >= end || !isDigit(in[pos])) {
        throw error("invalid number, expected a digit in the exponent");
      }
      while (pos < end && isDigit(in[pos])) {
        pos++;
      }
    }
    String text = new String(in, numberStart, pos - numberStart, StandardCharsets.US_ASCII);
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        pos = numberStart;
        throw error("integer " + abbreviate(text) + " out of the 64-bit range");
      }
    }
    return Double.parseDouble(text);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  private static int hexDigit(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    } else if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    } else if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }
}
