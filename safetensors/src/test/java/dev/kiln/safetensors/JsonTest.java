package dev.kiln.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static Object parse(String json) throws Json.ParseException {
    return Json.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Json.ParseException failure(String json) {
    return assertThrows(Json.ParseException.class, () -> parse(json));
  }

  private static Json.ParseException failure(byte[] json) {
    return assertThrows(Json.ParseException.class, () -> Json.parse(json));
  }

  @Test
  void parsesAllValueKindsKeepingKeyOrder() throws Exception {
    Object value = parse(" {\"z\": [1, -2, 3.5, -0.25e2, 1E3, true, false, null, \"s\"], \"a\": {},"
        + " \"m\": []}  ");
    Map<?, ?> map = (Map<?, ?>) value;
    assertEquals(List.of("z", "a", "m"), List.copyOf(map.keySet()));
    List<?> list = (List<?>) map.get("z");
    assertEquals(1L, list.get(0));
    assertEquals(-2L, list.get(1));
    assertEquals(3.5, list.get(2));
    assertEquals(-25.0, list.get(3));
    assertEquals(1000.0, list.get(4));
    assertEquals(Boolean.TRUE, list.get(5));
    assertEquals(Boolean.FALSE, list.get(6));
    assertNull(list.get(7));
    assertEquals("s", list.get(8));
    assertEquals(Map.of(), map.get("a"));
    assertEquals(List.of(), map.get("m"));
  }

  @Test
  void integersCoverTheWholeLongRangeAndRejectOverflow() throws Exception {
    assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
    assertEquals(Long.MIN_VALUE, parse("-9223372036854775808"));
    assertEquals(0L, parse("-0"));
    Json.ParseException e = failure("[1, 9223372036854775808]");
    assertTrue(e.getMessage().contains("out of the 64-bit range"), e.getMessage());
    assertEquals(4, e.position());
  }

  @Test
  void decodesEscapesAndUtf8() throws Exception {
    assertEquals("q\"b\\s/\b\f\n\r\t", parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\""));
    assertEquals("é€", parse("\"\\u00e9\\u20AC\""));
    assertEquals("\uD83D\uDE00", parse("\"\\ud83d\\ude00\""));
    assertEquals("héllo 😀 €", parse("\"héllo 😀 €\""));
  }

  @Test
  void rejectsBadStrings() {
    assertTrue(failure("\"\\ud800\"").getMessage().contains("lone high surrogate"));
    assertTrue(failure("\"\\udc00\"").getMessage().contains("lone low surrogate"));
    assertTrue(failure("\"\\ud800\\u0041\"").getMessage().contains("low surrogate"));
    assertTrue(failure("\"\\x\"").getMessage().contains("invalid escape"));
    assertTrue(failure("\"\\u12G4\"").getMessage().contains("hex digit"));
    assertTrue(failure("\"\\u12\"").getMessage().contains("escape"));
    assertTrue(failure("\"abc").getMessage().contains("unterminated string"));
    assertTrue(failure("\"a\nb\"").getMessage().contains("control character"));
  }

  @Test
  void rejectsInvalidUtf8WithBytePosition() {
    byte[][] bad = {
      {'"', 'a', (byte) 0xFF, '"'}, // invalid lead byte
      {'"', 'a', (byte) 0xC0, (byte) 0x80, '"'}, // overlong NUL
      {'"', 'a', (byte) 0xE0, (byte) 0x80, (byte) 0x80, '"'}, // overlong 3-byte
      {'"', 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // UTF-8 encoded surrogate
      {'"', 'a', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
      {'"', 'a', (byte) 0xC3, 'x', '"'}, // bad continuation
      {'"', 'a', (byte) 0xE2, (byte) 0x82}, // truncated sequence
    };
    for (byte[] b : bad) {
      Json.ParseException e = failure(b);
      assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
      assertTrue(e.position() >= 2, e.getMessage());
    }
  }

  @Test
  void rejectsSyntaxErrorsWithPositions() {
    assertEquals(7, failure("{\"a\":1,}").position());
    assertEquals(0, failure("").position());
    assertEquals(2, failure("  ").position());
    assertEquals(3, failure("[1 2]").position());
    assertEquals(4, failure("[1] x").position());
    assertEquals(4, failure("[tru]").position());
    assertTrue(failure("{\"a\" 1}").getMessage().contains("expected ':'"));
    assertTrue(failure("{1:2}").getMessage().contains("expected a string key"));
    assertTrue(failure("[01]").getMessage().contains("leading zero"));
    assertTrue(failure("[1.]").getMessage().contains("after '.'"));
    assertTrue(failure("[1e]").getMessage().contains("exponent"));
    assertTrue(failure("[-]").getMessage().contains("expected a digit"));
    assertTrue(failure("[+1]").getMessage().contains("expected a value"));
    assertTrue(failure("[NaN]").getMessage().contains("expected a value"));
    assertTrue(failure("[1,").getMessage().contains("end of input"));
  }

  @Test
  void rejectsDuplicateKeysAtTheKey() {
    Json.ParseException e = failure("{\"a\":1,\"b\":2,\"a\":3}");
    assertTrue(e.getMessage().contains("duplicate key \"a\""), e.getMessage());
    assertEquals(13, e.position());
  }

  @Test
  void limitsNestingDepth() throws Exception {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    parse(ok);
    String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    Json.ParseException e = failure(tooDeep);
    assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
    assertEquals(Json.MAX_DEPTH, e.position());
    // Far deeper input fails the same way rather than overflowing the stack.
    failure("{\"a\":".repeat(100_000));
  }
}
