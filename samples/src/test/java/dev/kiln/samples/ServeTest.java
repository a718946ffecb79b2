package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serving sample on loopback: answers, clear 400s for bad input, no errors under load. */
class ServeTest {
  private static HttpServer server;
  private static URI uri;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = new Serve(new FashionMlpModel(1).inference())
        .start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/predict");
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
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
        {Serve.requestBody(784).replace("[0.5,", "[oops,"), "\\\"input\\\"[0] is not a number"},
        {Serve.requestBody(784).replace("[0.5,", "[NaN,"), "not a finite JSON number"},
        {"{\"data\": [1]}", "expected {\\\"input\\\""},
        {"{\"input\": [[1]]}", "expected {\\\"input\\\""},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = post(c[0]);
      assertEquals(400, response.statusCode(), c[0]);
      assertTrue(response.body().contains(c[1]), response.body());
    }
    HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
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
    assertEquals(2f, Serve.parseInput(" {\"input\" : [ 2 ]} ", 1)[0]);
  }
}
