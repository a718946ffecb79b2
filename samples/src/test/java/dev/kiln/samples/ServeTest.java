package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serving sample on loopback: answers, clear 400s for bad input, no errors under load. */
class ServeTest {
  private static Serve.Running server;
  private static URI uri;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = new Serve(new FashionMlpModel(1).inference())
        .start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    uri = URI.create("http://127.0.0.1:" + server.port() + "/predict");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static int port() {
    return server.port();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return post(uri, body);
  }

  private static HttpResponse<String> post(URI to, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void oneImageAloneGetsItsBatchRowBitForBit() {
    // Batch-1 products stream the weights differently from batched ones, but sum in the same order.
    FashionMlpModel model = new FashionMlpModel(3);
    SplittableRandom rnd = new SplittableRandom(5);
    float[][] images = new float[5][784];
    for (float[] image : images) {
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) rnd.nextDouble();
      }
    }
    float[][] batch = model.predict(images);
    for (int r = 0; r < images.length; r++) {
      assertArrayEquals(batch[r], model.predict(images[r]), "image " + r);
    }
  }

  @Test
  void aValidImageGetsAClassAndProbabilities() throws Exception {
    HttpResponse<String> response = post(Serve.requestBody(784));
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().matches("\\{\"class\": \\d, \"label\": \"[^\"]+\", \"probabilities\": \\[.*\\]\\}"),
        response.body());
  }

  @Test
  void badInputGets400WithAMessage() throws Exception {
    String[][] cases = {
        {"not json", "expected a JSON object"},
        {"{\"input\": [1, 2, 3]}", "\\\"input\\\" has 3 numbers, the model takes 784"},
        {"{\"input\": []}", "has 0 numbers"},
        {Serve.requestBody(784).replace("[0.5,", "[oops,"), "\\\"input\\\"[0] is not a JSON number: oops"},
        {Serve.requestBody(784).replace("[0.5,", "[NaN,"), "not a finite JSON number"},
        {"{\"data\": [1]}", "expected {\\\"input\\\""},
        {"{\"input\": [[1]]}", "\\\"input\\\"[0] is not a number (found [1]]} at character 11)"},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = post(c[0]);
      assertEquals(400, response.statusCode(), c[0]);
      assertTrue(response.body().contains(c[1]), response.body());
    }
    HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    assertEquals(Optional.of("POST"), get.headers().firstValue("Allow"));
    HttpResponse<String> huge = post("{\"input\": [" + "0,".repeat(40_000) + "0]}");
    assertEquals(413, huge.statusCode());
  }

  @Test
  void boundedLoadTestHasNoErrors() throws Exception {
    Serve.LoadResult result = Serve.load(uri, Serve.requestBody(784), 8, 400, Duration.ofSeconds(30));
    assertEquals(400, result.requests());
    assertEquals(0, result.errors());
    assertTrue(result.p99Micros() >= result.p50Micros());
  }

  @Test
  void parserRejectsTrailingContent() {
    assertThrows(IllegalArgumentException.class, () -> Serve.parseInput("{\"input\": [1], \"x\": 2}", 1));
    assertThrows(IllegalArgumentException.class, () -> Serve.parseInput("{\"input\": [1]} {}", 1));
    assertEquals(2f, Serve.parseInput(" {\"input\" : [ 2 ]} ", 1)[0]);
  }

  // ------------------------------------------------------------------ numbers: RFC 8259 only

  private static String rejected(String number) {
    return assertThrows(IllegalArgumentException.class,
        () -> Serve.parseInput("{\"input\": [" + number + "]}", 1), number).getMessage();
  }

  @Test
  void hexFloatIsRejected() {
    assertEquals("\"input\"[0] is not a JSON number: 0x1p3", rejected("0x1p3"));
  }

  @Test
  void leadingPlusIsRejected() {
    assertEquals("\"input\"[0] is not a JSON number: +1", rejected("+1"));
  }

  @Test
  void leadingZeroIsRejected() {
    assertEquals("\"input\"[0] is not a JSON number: 01", rejected("01"));
    assertEquals("\"input\"[0] is not a JSON number: -01.5", rejected("-01.5"));
  }

  @Test
  void missingIntegerPartIsRejected() {
    assertEquals("\"input\"[0] is not a JSON number: .5", rejected(".5"));
    assertEquals("\"input\"[0] is not a JSON number: -.5", rejected("-.5"));
  }

  @Test
  void missingFractionDigitsAreRejected() {
    assertEquals("\"input\"[0] is not a JSON number: 1.", rejected("1."));
    assertEquals("\"input\"[0] is not a JSON number: 1.e3", rejected("1.e3"));
  }

  @Test
  void nanAndInfinityAreRejected() {
    assertEquals("\"input\"[0] is not a finite JSON number: NaN", rejected("NaN"));
    assertEquals("\"input\"[0] is not a finite JSON number: Infinity", rejected("Infinity"));
    assertEquals("\"input\"[0] is not a finite JSON number: -Infinity", rejected("-Infinity"));
  }

  @Test
  void javaSuffixesAndBareExponentsAreRejected() {
    assertEquals("\"input\"[0] is not a JSON number: 1f", rejected("1f"));
    assertEquals("\"input\"[0] is not a JSON number: 2d", rejected("2d"));
    assertEquals("\"input\"[0] is not a JSON number: 1e", rejected("1e"));
    assertEquals("\"input\"[0] is not a JSON number: 1_000", rejected("1_000"));
  }

  @Test
  void numbersBeyondFloatRangeAreRejected() {
    assertEquals("\"input\"[0] is out of float range: 1e39", rejected("1e39"));
    assertEquals("\"input\"[0] is out of float range: -3.5e38", rejected("-3.5e38"));
  }

  @Test
  void everyFormOfTheGrammarIsAccepted() {
    String[] numbers = {"0", "-0", "7", "-12", "0.5", "-0.25", "1e2", "1E2", "1e+2", "2.5e-1", "-1.5E+1", "1e-50"};
    float[] expected = {0f, -0f, 7f, -12f, 0.5f, -0.25f, 100f, 100f, 100f, 0.25f, -15f, 0f};
    float[] parsed = Serve.parseInput("{\"input\": [" + String.join(",", numbers) + "]}", numbers.length);
    assertArrayEquals(expected, parsed);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(parsed[1]));
  }

  @Test
  void onlyJsonWhitespaceIsAllowed() {
    assertEquals(1f, Serve.parseInput("\t{\r\n\"input\":[1]\n}\n", 1)[0]);
    // A no-break space is whitespace to String.strip() but not to JSON.
    assertThrows(IllegalArgumentException.class, () -> Serve.parseInput("\u00a0{\"input\": [1]}", 1));
  }

  // ------------------------------------------------------------------ paths and error bodies

  @Test
  void onlyTheExactPathIsServed() throws Exception {
    for (String path : new String[] {"/predictX", "/predict/", "/predictx", "/PREDICT", "/", "/predict/1",
        "/predict?x=1", "/x/predict"}) {
      HttpResponse<String> response = post(URI.create("http://127.0.0.1:" + port() + path), Serve.requestBody(784));
      assertEquals(404, response.statusCode(), path);
      assertEquals("{\"error\": \"no resource " + path + "; use POST /predict\"}", response.body(), path);
    }
    HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/other"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, get.statusCode());
  }

  @Test
  void errorBodiesEscapeControlCharacters() throws Exception {
    HttpResponse<String> response = post("{\"input\": [\u0007\u0000\"\\\u00e9\u2028]}");
    assertEquals(400, response.statusCode());
    assertEquals("{\"error\": \"\\\"input\\\"[0] is not a number (found \\u0007\\u0000\\\"\\\\\\u00e9\\u2028]} at"
        + " character 11)\"}", response.body());
    assertTrue(response.body().chars().allMatch(c -> c >= 0x20 && c < 0x7F), response.body());
  }

  @Test
  void jsonStringEscapesEverythingOutsidePrintableAscii() {
    assertEquals("\"a\\\"b\\\\c\\u000a\\u001f\\u007f\\ud83d\\ude00\"", Serve.jsonString("a\"b\\c\n\u001f\u007f\ud83d\ude00"));
    assertEquals("x".repeat(39) + "...", Serve.abbreviate("x".repeat(39) + "\ud83d\ude00" + "y"));
  }

  @Test
  void invalidUtf8Gets400() throws Exception {
    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', (byte) 0xC3, '}'})).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, response.statusCode());
    assertEquals("{\"error\": \"the body is not valid UTF-8\"}", response.body());
  }

  @Test
  void slowClientsAreCutOffWhileOthersAreServed() {
    assertTimeoutPreemptively(Duration.ofSeconds(40), () -> ServeFuzz.slowClients(port(), uri));
  }

  @Test
  void fuzzedRequestsLeaveTheServerAnswering() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ServeFuzz.fuzz(port(), uri, 300, Duration.ofSeconds(20)));
  }
}
