package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Hostile clients for {@link ServeTest}, all on loopback, bounded in count and time. */
final class ServeFuzz {
  private static final String ANSWER = "\\{\"class\": \\d, \"label\": \"[^\"]+\", \"probabilities\": \\[.*\\]\\}";

  private ServeFuzz() {}

  static byte[] request(String path, String body, boolean close) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + (close ? "Connection: close\r\n" : "") + "Content-Length: " + content.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + content.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(content, 0, out, h.length, content.length);
    return out;
  }

  static Socket connect(int port, int readTimeoutMillis) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setSoTimeout(readTimeoutMillis);
    return socket;
  }

  /** A valid request answered correctly within one second. */
  static void assertAnswersPromptly(URI uri) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long start = System.nanoTime();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1))
        .POST(HttpRequest.BodyPublishers.ofString(Serve.requestBody(784))).build(), HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().matches(ANSWER), response.body());
    assertTrue(millis < 1000, millis + " ms");
  }

  // ------------------------------------------------------------------ slow clients

  /**
   * One client that sends its first {@code burst} bytes at once and then one byte per second;
   * records when the server closed on it.
   */
  private static final class Slow implements Runnable {
    final byte[] bytes;
    final int burst;
    final int port;
    final AtomicInteger sent = new AtomicInteger();
    volatile long startNanos;
    volatile long closedAfterMillis = -1;

    Slow(byte[] bytes, int burst, int port) {
      this.bytes = bytes;
      this.burst = burst;
      this.port = port;
    }

    @Override
    public void run() {
      try (Socket socket = connect(port, 15_000)) {
        startNanos = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        Thread reader = new Thread(() -> {
          try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
              // a 408 or similar before the close is fine too
            }
          } catch (IOException e) {
            // reset or read timeout: closedAfterMillis tells which
          }
          closedAfterMillis = (System.nanoTime() - startNanos) / 1_000_000;
        });
        reader.setDaemon(true);
        reader.start();
        out.write(bytes, 0, burst);
        for (int i = burst; i < bytes.length && closedAfterMillis < 0; i++) {
          out.write(bytes[i]);
          out.flush();
          sent.incrementAndGet();
          reader.join(1000); // the slow client's pace: one byte a second, until the server closes
        }
        reader.join(15_000);
      } catch (IOException e) {
        if (closedAfterMillis < 0) {
          closedAfterMillis = (System.nanoTime() - startNanos) / 1_000_000;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Three clients trickle headers and three a body, one byte a second (the old server had two
   * threads and no timeout). Others must be answered within a second meanwhile, and every slow
   * client must be cut off once its request is older than the timeout.
   */
  static void slowClients(int port, URI uri) throws Exception {
    List<Slow> slow = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slow.add(new Slow(request("/predict", Serve.requestBody(784), false), 0, port));
      byte[] head = ("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] full = new byte[head.length + 4000];
      System.arraycopy(head, 0, full, 0, head.length);
      slow.add(new Slow(full, head.length, port));
    }
    List<Thread> threads = new ArrayList<>();
    for (Slow s : slow) {
      Thread t = new Thread(s);
      t.start();
      threads.add(t);
    }
    // Wait until every slow client has its connection and is trickling.
    for (Slow s : slow) {
      while (s.sent.get() < 2) {
        Thread.onSpinWait();
      }
    }
    for (int i = 0; i < 5; i++) {
      assertAnswersPromptly(uri);
    }
    for (Thread t : threads) {
      t.join(20_000);
    }
    long limit = Serve.REQUEST_TIMEOUT_SECONDS * 1000L;
    for (Slow s : slow) {
      assertTrue(s.closedAfterMillis >= 0, "a slow client was never cut off");
      assertTrue(s.closedAfterMillis <= limit + 2500, "cut off after " + s.closedAfterMillis + " ms");
      assertTrue(s.closedAfterMillis >= limit - 1000, "cut off early, after " + s.closedAfterMillis + " ms");
      assertTrue(s.burst + s.sent.get() < s.bytes.length);
    }
    assertAnswersPromptly(uri);
  }

  // ------------------------------------------------------------------ fuzzing

  /** Reads a response's status line and headers (and its body, if it has a length); null if none. */
  static String readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (text.isEmpty()) {
      return null;
    }
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return text + new String(body, StandardCharsets.UTF_8);
  }

  private static byte[] mutate(byte[] bytes, Random random) {
    byte[] out = bytes.clone();
    for (int k = 1 + random.nextInt(5); k > 0; k--) {
      out[random.nextInt(out.length)] = (byte) random.nextInt(256);
    }
    return out;
  }

  /**
   * Sends {@code count} hostile requests (random bytes, truncated, mutated, wrong lengths, bad
   * bodies, slow) from 8 client threads, stopping early at {@code limit}. No answer may be a 500
   * or take longer than the timeout allows; then a normal request must be answered within 1 s.
   */
  static void fuzz(int port, URI uri, int count, Duration limit) throws Exception {
    Random seeds = new Random(20261126);
    byte[] valid = request("/predict", Serve.requestBody(784), true);
    long deadline = System.nanoTime() + limit.toNanos();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicLong sent = new AtomicLong();
    List<Future<?>> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int kind = i % 30 == 29 ? 9 : i % 9;
      long seed = seeds.nextLong();
      tasks.add(clients.submit(() -> {
        if (System.nanoTime() > deadline) {
          return null;
        }
        sent.incrementAndGet();
        Random random = new Random(seed);
        byte[] bytes = switch (kind) {
          case 0, 1 -> {
            byte[] r = new byte[random.nextInt(1500)];
            random.nextBytes(r);
            yield r;
          }
          case 2, 3 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
          case 4, 5 -> mutate(valid, random);
          case 6 -> {
            byte[] body = new byte[random.nextInt(3000)];
            random.nextBytes(body);
            yield request("/predict", new String(body, StandardCharsets.ISO_8859_1), true);
          }
          case 7 -> new String(valid, StandardCharsets.ISO_8859_1)
              .replaceFirst("Content-Length: \\d+", "Content-Length: " + random.nextInt(20_000))
              .getBytes(StandardCharsets.ISO_8859_1);
          default -> valid;
        };
        String outcome;
        long start = System.nanoTime();
        try (Socket socket = connect(port, (Serve.REQUEST_TIMEOUT_SECONDS + 3) * 1000)) {
          OutputStream out = socket.getOutputStream();
          try {
            if (kind == 9) {
              for (int k = 0; k < 40; k++) { // 10 bytes a second: the server cuts it off at the timeout
                out.write(bytes, k * 10, 10);
                out.flush();
                Thread.sleep(1000);
              }
            } else {
              out.write(bytes);
              out.flush();
            }
            socket.shutdownOutput();
          } catch (IOException e) {
            // the server may answer and close before reading everything
          }
          String response = readResponse(socket);
          outcome = response == null ? "closed" : response.substring(0, Math.min(12, response.length()));
          if (response != null && response.startsWith("HTTP/1.1 500")) {
            failures.add("kind " + kind + ": " + response);
          }
          if (kind == 8 && (response == null || !response.startsWith("HTTP/1.1 200")
              || !response.substring(response.indexOf("\r\n\r\n") + 4).matches(ANSWER))) {
            failures.add("valid request got " + response);
          }
        } catch (SocketTimeoutException e) {
          outcome = "hung";
          failures.add("kind " + kind + ": no answer and no close after "
              + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (IOException e) {
          outcome = "reset";
        }
        outcomes.computeIfAbsent(outcome.trim(), k -> new AtomicInteger()).incrementAndGet();
        return null;
      }));
    }
    clients.shutdown();
    assertTrue(clients.awaitTermination(limit.toSeconds() + 15, TimeUnit.SECONDS), "fuzz clients did not finish");
    for (Future<?> task : tasks) {
      task.get();
    }
    System.out.println("serve fuzz: " + sent.get() + " requests, outcomes " + new TreeMap<>(outcomes));
    assertTrue(failures.isEmpty(), failures.toString());
    assertAnswersPromptly(uri);
  }
}
