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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kiln-samples.jar serve [--port P] [--weights FILE] [--load-test]}: the Fashion-MNIST MLP
 * over HTTP with the JDK's built-in server. {@code POST /predict} with {@code {"input": [784
 * numbers in [0, 1]]}} answers {@code {"class": 9, "label": "Ankle boot", "probabilities": [...]}};
 * malformed or wrong-sized input gets 400 and a message, never 500. Predictions run on a shared
 * {@link Inference}: one weight snapshot, no locks. {@code --load-test} serves on an ephemeral
 * loopback port, sends a bounded number of requests at concurrency 1, 8 and 64, prints requests
 * per second, p50 and p99 latency and the error count, and stops.
 */
public final class Serve {
  private static final int MAX_BODY_BYTES = 64 * 1024;

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
      HttpServer server = serve.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      System.out.println("Serving the Fashion-MNIST MLP on http://127.0.0.1:" + server.getAddress().getPort()
          + "/predict (POST {\"input\": [784 numbers]}); Ctrl-C stops");
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

  HttpServer start(InetSocketAddress address) throws IOException {
    // Without TCP_NODELAY a request whose headers and body arrive in two packets waits ~40 ms for
    // a delayed ACK (measured: p50 44 ms on loopback); the JDK server reads this property once.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(address, 256);
    server.createContext("/predict", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors())));
    server.start();
    return server;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
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
        input = parseInput(new String(body, StandardCharsets.UTF_8), inference.info().inputSize());
      } catch (IllegalArgumentException e) {
        reply(exchange, 400, error(e.getMessage()));
        return;
      }
      float[] probabilities = inference.predict(input);
      int best = 0;
      for (int c = 1; c < probabilities.length; c++) {
        best = probabilities[c] > probabilities[best] ? c : best;
      }
      StringBuilder json = new StringBuilder("{\"class\": ").append(best).append(", \"label\": \"")
          .append(FashionMnist.CLASS_NAMES.get(best)).append("\", \"probabilities\": [");
      for (int c = 0; c < probabilities.length; c++) {
        json.append(c == 0 ? "" : ", ").append(probabilities[c]);
      }
      reply(exchange, 200, json.append("]}").toString());
    } catch (RuntimeException e) {
      // Only a bug gets here: bad input is answered with 400 above.
      reply(exchange, 500, error("internal error: " + e));
    }
  }

  /**
   * Reads {@code {"input": [n1, n2, ...]}} strictly: exactly {@code size} finite numbers.
   *
   * @throws IllegalArgumentException with a message for the client
   */
  static float[] parseInput(String body, int size) {
    String text = body.strip();
    if (!text.startsWith("{") || !text.endsWith("}")) {
      throw new IllegalArgumentException("expected a JSON object {\"input\": [" + size + " numbers]}");
    }
    int key = text.indexOf("\"input\"");
    int open = key < 0 ? -1 : text.indexOf('[', key);
    int close = open < 0 ? -1 : text.indexOf(']', open);
    if (key < 0 || open < 0 || close < 0 || !text.substring(key + 7, open).strip().equals(":")
        || text.indexOf('[', open + 1) >= 0 && text.indexOf('[', open + 1) < close) {
      throw new IllegalArgumentException("expected {\"input\": [" + size + " numbers]}");
    }
    String rest = (text.substring(1, key) + text.substring(close + 1, text.length() - 1)).strip();
    if (!rest.isEmpty()) {
      throw new IllegalArgumentException("unexpected content besides \"input\": " + abbreviate(rest));
    }
    String[] fields = text.substring(open + 1, close).split(",", -1);
    if (fields.length != size) {
      throw new IllegalArgumentException("\"input\" has " + (fields[0].isBlank() && fields.length == 1 ? 0 : fields.length)
          + " numbers, the model takes " + size);
    }
    float[] input = new float[size];
    for (int i = 0; i < size; i++) {
      String field = fields[i].strip();
      try {
        input[i] = Float.parseFloat(field);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("\"input\"[" + i + "] is not a number: " + abbreviate(field));
      }
      if (!Float.isFinite(input[i]) || field.endsWith("f") || field.endsWith("d") || field.endsWith("F")
          || field.endsWith("D")) {
        throw new IllegalArgumentException("\"input\"[" + i + "] is not a finite JSON number: " + abbreviate(field));
      }
    }
    return input;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String error(String message) {
    return "{\"error\": \"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
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
    HttpServer server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/predict");
      String body = requestBody(inference.info().inputSize());
      System.out.printf(Locale.ROOT, "%-12s %10s %12s %10s %10s %7s%n", "concurrency", "requests", "requests/s",
          "p50 us", "p99 us", "errors");
      for (int concurrency : new int[] {1, 8, 64}) {
        LoadResult r = load(uri, body, concurrency, 4000, Duration.ofSeconds(20));
        System.out.printf(Locale.ROOT, "%-12d %10d %12.0f %10.0f %10.0f %7d%n", r.concurrency(), r.requests(),
            r.requestsPerSecond(), r.p50Micros(), r.p99Micros(), r.errors());
      }
    } finally {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
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
