package dev.kiln.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Inference;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * {@code kiln-samples.jar serve [--port P] [--weights FILE] [--load-test]}: the Fashion-MNIST MLP
 * over HTTP with the JDK's built-in server. {@code POST /predict} with {@code {"input": [784
 * numbers in [0, 1]]}} answers {@code {"class": 9, "label": "Ankle boot", "probabilities": [...]}};
 * malformed or wrong-sized input gets 400 and a message, never 500. Predictions run on a shared
 * {@link Inference}: one weight snapshot, no locks. {@code --load-test} serves on an ephemeral
 * loopback port, sends a bounded number of requests at concurrency 1, 8 and 64, prints requests
 * per second, p50 and p99 latency and the error count, and stops.
 *
 * <p>Limits, so that no client can stall or mislead the server:
 * <ul>
 *   <li>The request target must be exactly {@code /predict} (no query, no other path: 404) and the
 *       method POST (405). Error bodies are JSON objects {@code {"error": "..."}} whose text is
 *       escaped to printable ASCII.
 *   <li>The body is at most {@value #MAX_BODY_BYTES} bytes of UTF-8 holding exactly one JSON object
 *       with the one key {@code "input"}, whose array holds numbers in RFC 8259's grammar only
 *       ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}) within float range: {@code
 *       0x1p3}, {@code +1}, {@code 01}, {@code .5}, {@code 1.}, {@code NaN} and {@code Infinity}
 *       are rejected.
 *   <li>A request (headers and body) must arrive within {@value #REQUEST_TIMEOUT_SECONDS} s, and
 *       a response be taken within as long; the JDK server then closes the connection
 *       ({@code sun.net.httpserver.maxReqTime} and {@code maxRspTime}, set unless given with
 *       {@code -D}). So a client sending a byte a second holds a connection thread for at most
 *       that long. Connections are read by up to {@value #CONNECTION_THREADS} threads, and
 *       predictions run on max(2, cores) others: a few slow clients never delay the rest.
 *       (Virtual threads are not used: before JDK 24 the JDK server's blocking reads inside
 *       {@code synchronized} would pin the carrier threads.)
 * </ul>
 */
public final class Serve {
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Seconds a client has to send a whole request, and to take the response. */
  static final int REQUEST_TIMEOUT_SECONDS = 5;

  /** Threads that read requests and write responses. */
  static final int CONNECTION_THREADS = 64;

  static final String PATH = "/predict";

  private static final Pattern JSON_NUMBER =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  private final Inference inference;

  Serve(Inference inference) {
    this.inference = inference;
  }

  public static void main(String[] args) throws Exception {
    int port = 8080;
    Path weights = Path.of("fashion-mlp.safetensors");
    boolean loadTest = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port":
          port = Integer.parseInt(args[++i]);
          break;
        case "--weights":
          weights = Path.of(args[++i]);
          break;
        case "--load-test":
          loadTest = true;
          break;
        default:
          throw new IllegalArgumentException("unknown argument " + args[i]
              + "; usage: kiln-samples.jar serve [--port P] [--weights FILE] [--load-test]");
      }
    }
    Serve serve = new Serve(trainedModel(weights).inference());
    if (loadTest) {
      serve.loadTest();
    } else {
      Running server = serve.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      System.out.println("Serving the Fashion-MNIST MLP on http://127.0.0.1:" + server.port()
          + PATH + " (POST {\"input\": [784 numbers]}); Ctrl-C stops");
    }
  }

  /** Loads saved weights, or trains 3 epochs (and saves them) when there are none. */
  static FashionMlpModel trainedModel(Path weights) throws IOException {
    FashionMlpModel model = new FashionMlpModel(42, 64);
    if (Files.exists(weights)) {
      model.load(weights);
      System.out.println("Loaded weights from " + weights);
      return model;
    }
    if (!FashionMnist.isAvailable(Main.dataDirectory())) {
      throw new IllegalStateException("no weights at " + weights + " and no Fashion-MNIST to train on. "
          + Main.missingDataMessage(Main.dataDirectory()));
    }
    FashionMnist data = FashionMnist.load(Main.dataDirectory());
    System.out.println("Training the Fashion-MNIST MLP for 3 epochs ...");
    model.fit(data.trainImages(), FashionMnist.oneHot(data.trainLabels(), FashionMnist.CLASS_COUNT),
        FitOptions.epochs(3).withBatchSize(64).withShuffle(1));
    model.save(weights);
    System.out.println("Saved weights to " + weights);
    return model;
  }

  /** A started server with its two thread pools; {@link #close} stops all three. */
  static final class Running implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService connections;
    private final ExecutorService predictions;

    Running(HttpServer server, ExecutorService connections, ExecutorService predictions) {
      this.server = server;
      this.connections = connections;
      this.predictions = predictions;
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      connections.shutdownNow();
      predictions.shutdownNow();
    }
  }

  Running start(InetSocketAddress address) throws IOException {
    // Without TCP_NODELAY a request whose headers and body arrive in two packets waits ~40 ms for
    // a delayed ACK (measured: p50 44 ms on loopback). The JDK server reads these properties once,
    // when its first server is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_TIMEOUT_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_TIMEOUT_SECONDS));
    ThreadPoolExecutor connections = new ThreadPoolExecutor(CONNECTION_THREADS, CONNECTION_THREADS,
        30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("serve-connection-"));
    connections.allowCoreThreadTimeOut(true);
    ExecutorService predictions = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("serve-predict-"));
    HttpServer server = HttpServer.create(address, 256);
    server.createContext("/", exchange -> handle(exchange, predictions));
    server.setExecutor(connections);
    server.start();
    return new Running(server, connections, predictions);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void handle(HttpExchange exchange, ExecutorService predictions) throws IOException {
    try (exchange) {
      URI target = exchange.getRequestURI();
      if (!PATH.equals(target.getRawPath()) || target.getRawQuery() != null
          || target.getRawFragment() != null) {
        reply(exchange, 404, error("no resource " + abbreviate(target.toString()) + "; use POST "
            + PATH));
        return;
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        reply(exchange, 405, error("use POST with {\"input\": [784 numbers]}"));
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
      if (body.length > MAX_BODY_BYTES) {
        reply(exchange, 413, error("request body over " + MAX_BODY_BYTES + " bytes"));
        return;
      }
      float[] input;
      try {
        input = parseInput(utf8(body), inference.info().inputSize());
      } catch (IllegalArgumentException e) {
        reply(exchange, 400, error(e.getMessage()));
        return;
      }
      float[] probabilities;
      try {
        probabilities = predictions.submit(() -> inference.predict(input)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply(exchange, 503, error("server stopping"));
        return;
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
      int best = 0;
      for (int c = 1; c < probabilities.length; c++) {
        best = probabilities[c] > probabilities[best] ? c : best;
      }
      StringBuilder json = new StringBuilder("{\"class\": ").append(best).append(", \"label\": ")
          .append(jsonString(FashionMnist.CLASS_NAMES.get(best))).append(", \"probabilities\": [");
      for (int c = 0; c < probabilities.length; c++) {
        json.append(c == 0 ? "" : ", ").append(probabilities[c]);
      }
      reply(exchange, 200, json.append("]}").toString());
    } catch (RuntimeException e) {
      // Only a bug gets here: bad input is answered with 400 above.
      reply(exchange, 500, error("internal error: " + e));
    }
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the body is not valid UTF-8");
    }
  }

  /**
   * Reads {@code {"input": [n1, n2, ...]}} strictly (RFC 8259): exactly {@code size} numbers in
   * JSON's number grammar, each within float range, and nothing else.
   *
   * @throws IllegalArgumentException with a message for the client
   */
  static float[] parseInput(String body, int size) {
    String expected = "expected {\"input\": [" + size + " numbers]}";
    Cursor in = new Cursor(body);
    in.skipWhitespace();
    if (!in.accept('{')) {
      throw new IllegalArgumentException("expected a JSON object {\"input\": [" + size
          + " numbers]}" + in.found());
    }
    in.skipWhitespace();
    if (!in.accept("\"input\"")) {
      throw new IllegalArgumentException(expected + in.found());
    }
    in.skipWhitespace();
    if (!in.accept(':')) {
      throw new IllegalArgumentException(expected + in.found());
    }
    in.skipWhitespace();
    if (!in.accept('[')) {
      throw new IllegalArgumentException(expected + in.found());
    }
    float[] input = new float[size];
    int count = 0;
    in.skipWhitespace();
    if (!in.accept(']')) {
      while (true) {
        in.skipWhitespace();
        float value = number(in, count);
        if (count < size) {
          input[count] = value;
        }
        count++;
        in.skipWhitespace();
        if (in.accept(',')) {
          continue;
        }
        if (in.accept(']')) {
          break;
        }
        throw new IllegalArgumentException("expected ',' or ']' after \"input\"[" + (count - 1) + "]"
            + in.found());
      }
    }
    in.skipWhitespace();
    if (!in.accept('}')) {
      throw new IllegalArgumentException("unexpected content besides \"input\"" + in.found());
    }
    in.skipWhitespace();
    if (!in.atEnd()) {
      throw new IllegalArgumentException("unexpected content after the JSON object" + in.found());
    }
    if (count != size) {
      throw new IllegalArgumentException("\"input\" has " + count + " numbers, the model takes " + size);
    }
    return input;
  }

  /** One array element: a JSON number within float range. */
  private static float number(Cursor in, int index) {
    int start = in.pos;
    while (!in.atEnd() && isNumberLike(in.text.charAt(in.pos))) {
      in.pos++;
    }
    String token = in.text.substring(start, in.pos);
    String element = "\"input\"[" + index + "]";
    if (token.isEmpty()) {
      throw new IllegalArgumentException(element + " is not a number" + in.found());
    }
    if (token.matches("[+-]?(?:NaN|Infinity|inf|nan)")) {
      throw new IllegalArgumentException(element + " is not a finite JSON number: " + abbreviate(token));
    }
    if (!JSON_NUMBER.matcher(token).matches()) {
      throw new IllegalArgumentException(element + " is not a JSON number: " + abbreviate(token));
    }
    float value = Float.parseFloat(token);
    if (!Float.isFinite(value)) {
      throw new IllegalArgumentException(element + " is out of float range: " + abbreviate(token));
    }
    return value;
  }

  /** Characters that may belong to a number-like token (so {@code 0x1p3} is reported whole). */
  private static boolean isNumberLike(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.'
        || c == '+' || c == '-' || c == '_';
  }

  /** A position in the body, for the parser. */
  private static final class Cursor {
    final String text;
    int pos;

    Cursor(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    /** JSON's whitespace only: space, tab, line feed, carriage return. */
    void skipWhitespace() {
      while (!atEnd()) {
        char c = text.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    boolean accept(char c) {
      if (!atEnd() && text.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    boolean accept(String s) {
      if (text.startsWith(s, pos)) {
        pos += s.length();
        return true;
      }
      return false;
    }

    String found() {
      return atEnd() ? " (found the end of the body)"
          : " (found " + abbreviate(text.substring(pos)) + " at character " + pos + ")";
    }
  }

  /** At most 40 characters of {@code s}, never splitting a surrogate pair. */
  static String abbreviate(String s) {
    if (s.length() <= 40) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(39)) ? 39 : 40;
    return s.substring(0, end) + "...";
  }

  static String error(String message) {
    return "{\"error\": " + jsonString(message) + "}";
  }

  /**
   * {@code s} as a JSON string literal in printable ASCII: quote and backslash escaped, every
   * other character outside 0x20..0x7E written as a {@code \\u} escape (control characters, which
   * JSON forbids raw, included).
   */
  static String jsonString(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7F) {
        out.append(c);
      } else {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return out.append('"').toString();
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  // ------------------------------------------------------------------ the bounded load test

  /** Figures of one load-test run. */
  record LoadResult(int concurrency, int requests, double seconds, double p50Micros, double p99Micros, int errors) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  void loadTest() throws Exception {
    try (Running server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      URI uri = URI.create("http://127.0.0.1:" + server.port() + PATH);
      String body = requestBody(inference.info().inputSize());
      System.out.printf(Locale.ROOT, "%-12s %10s %12s %10s %10s %7s%n", "concurrency", "requests", "requests/s",
          "p50 us", "p99 us", "errors");
      for (int concurrency : new int[] {1, 8, 64}) {
        LoadResult r = load(uri, body, concurrency, 4000, Duration.ofSeconds(20));
        System.out.printf(Locale.ROOT, "%-12d %10d %12.0f %10.0f %10.0f %7d%n", r.concurrency(), r.requests(),
            r.requestsPerSecond(), r.p50Micros(), r.p99Micros(), r.errors());
      }
    }
  }

  /** A valid request: a mid-grey image. */
  static String requestBody(int size) {
    StringBuilder json = new StringBuilder("{\"input\": [");
    for (int i = 0; i < size; i++) {
      json.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "0.5" : "0.25");
    }
    return json.append("]}").toString();
  }

  /**
   * Sends {@code total} requests (bounded also by {@code limit}) from {@code concurrency} client
   * threads to a server on loopback; every non-200 answer or exception counts as an error.
   */
  static LoadResult load(URI uri, String body, int concurrency, int total, Duration limit) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    long[] micros = new long[total];
    long deadline = System.nanoTime() + limit.toNanos();
    ExecutorService clients = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      clients.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < total && System.nanoTime() < deadline) {
          long sent = System.nanoTime();
          try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
              errors.incrementAndGet();
            }
          } catch (IOException | InterruptedException e) {
            errors.incrementAndGet();
          }
          micros[i] = (System.nanoTime() - sent) / 1000;
        }
      });
    }
    clients.shutdown();
    clients.awaitTermination(limit.toSeconds() + 30, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    int done = Math.min(next.get(), total);
    long[] sorted = Arrays.copyOf(micros, done);
    Arrays.sort(sorted);
    ((ExecutorService) client.executor().orElseThrow()).shutdownNow();
    return new LoadResult(concurrency, done, seconds, sorted[done / 2], sorted[Math.min(done - 1, done * 99 / 100)],
        errors.get());
  }
}
