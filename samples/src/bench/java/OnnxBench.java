import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.runtime.data.FashionMnist;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * W2 and W3 in ONNX Runtime's Java API, for a same-machine comparison with
 * {@code kiln-samples.jar bench W2 W3 --json}: the network {@code export_mlp_onnx.py} writes
 * (Bench's FashionMlp with its softmax), on Fashion-MNIST's test images.
 *
 * <ul>
 *   <li>W2: one image per call, 50,000 timed calls after 20,000 untimed ones, cycling through the
 *       test images (each image's input tensor made up front, as Kiln's caller owns its array):
 *       mean_us, p50_us, p99_us; one intra-op thread.
 *   <li>W3: the first 256 test images as one batch, 200 untimed calls, then the median of 5 runs
 *       of 0.4 s: samples_per_second, at 1 and 2 intra-op threads.
 * </ul>
 *
 * <p>Not part of the build (it needs ONNX Runtime, a 93 MB jar of native libraries Kiln does not
 * otherwise use). Run from the repository root after {@code mvn package}:
 *
 * <pre>
 * mvn dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.20.0
 * /usr/bin/python3 samples/src/test/python/export_mlp_onnx.py /tmp/mlp.onnx
 * java -cp samples/target/kiln-samples.jar:$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.20.0/onnxruntime-1.20.0.jar \
 *     samples/src/bench/java/OnnxBench.java /tmp/mlp.onnx
 * </pre>
 */
public final class OnnxBench {
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: OnnxBench MODEL.onnx");
      System.exit(2);
    }
    float[][] images = FashionMnist.load().testImages();
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession session = session(environment, args[0], 1)) {
      System.out.println(w2(environment, session, images));
    }
    for (int threads : new int[] {1, 2}) {
      try (OrtSession session = session(environment, args[0], threads)) {
        System.out.println(w3(environment, session, images, threads));
      }
    }
  }

  private static OrtSession session(OrtEnvironment environment, String model, int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return environment.createSession(model, options);
  }

  private static String w2(OrtEnvironment environment, OrtSession session, float[][] images) throws OrtException {
    int warmUp = 20_000;
    int calls = 50_000;
    OnnxTensor[] inputs = new OnnxTensor[Math.min(images.length, 1_000)];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images[i]), new long[] {1, 784});
    }
    float sink = 0;
    for (int i = 0; i < warmUp; i++) {
      sink += run(session, inputs[i % inputs.length]);
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      OnnxTensor x = inputs[i % inputs.length];
      long start = System.nanoTime();
      sink += run(session, x);
      nanos[i] = System.nanoTime() - start;
    }
    for (OnnxTensor input : inputs) {
      input.close();
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(Double.NaN) / 1e3;
    return String.format(Locale.ROOT,
        "{\"workload\": \"W2\", \"threads\": 1, \"engine\": \"onnxruntime %s\", \"calls\": %d, \"mean_us\": %.4f, "
            + "\"p50_us\": %.4f, \"p99_us\": %.4f, \"checksum\": %.3f}",
        OrtEnvironment.getEnvironment().getVersion(), calls, mean, nanos[calls / 2] / 1e3,
        nanos[(int) (calls * 0.99)] / 1e3, sink);
  }

  private static String w3(OrtEnvironment environment, OrtSession session, float[][] images, int threads)
      throws OrtException {
    int batch = 256;
    float[] x = new float[batch * 784];
    for (int r = 0; r < batch; r++) {
      System.arraycopy(images[r], 0, x, r * 784, 784);
    }
    double[] rates = new double[5];
    float sink = 0;
    try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(x), new long[] {batch, 784})) {
      for (int i = 0; i < 200; i++) {
        sink += run(session, input);
      }
      for (int run = 0; run < rates.length; run++) {
        long start = System.nanoTime();
        long batches = 0;
        long elapsed;
        do {
          sink += run(session, input);
          batches++;
          elapsed = System.nanoTime() - start;
        } while (elapsed < 400_000_000L);
        rates[run] = batches * batch / (elapsed / 1e9);
      }
    }
    Arrays.sort(rates);
    return String.format(Locale.ROOT,
        "{\"workload\": \"W3\", \"threads\": %d, \"engine\": \"onnxruntime %s\", \"batch\": %d, "
            + "\"samples_per_second\": %.1f, \"checksum\": %.3f}",
        threads, OrtEnvironment.getEnvironment().getVersion(), batch, rates[2], sink);
  }

  /** One inference; returns the first probability so that the work cannot be skipped. */
  private static float run(OrtSession session, OnnxTensor input) throws OrtException {
    try (OrtSession.Result result = session.run(Map.of("image", input))) {
      return ((float[][]) result.get(0).getValue())[0][0];
    }
  }
}
