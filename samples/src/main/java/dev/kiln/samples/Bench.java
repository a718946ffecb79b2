package dev.kiln.samples;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Inference;
import dev.kiln.runtime.Metric;
import dev.kiln.runtime.Metrics;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.WeightFormat;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.kiln.runtime.kernels.Gemm;
import dev.kiln.runtime.kernels.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark command: {@code kiln-samples.jar bench probe|W1|W2|W3|W4|W5|W6|all [--threads N] [--json]}.
 * Workload definitions are those of the performance issue (fixed seeds, float32):
 *
 * <ul>
 *   <li>probe: this machine's limits ({@link MachineProbe}): one core's FMA GFLOPS and the rate it
 *       reads the MLP's 0.94 MB of parameters. W1 and W3 also report their products' GFLOPS and
 *       that share of the probe (on the threads used), W2 its mean over that read bound, each
 *       measured in the same JVM, so the figures are ratios on any machine.
 *   <li>W1: Fashion-MNIST MLP 784-256-128-10, Adam 1e-3, batch 64, reshuffled every epoch, 5
 *       epochs: seconds per epoch (median of epochs 2-4) and test accuracy; then 5 more epochs
 *       for the steady rate (median of epochs 7-10): on two cores the JIT compilers run beside
 *       the training threads for the first ~5-10 s (a C2 compilation a few milliseconds apart
 *       until then), taking the core a two-thread fit's worker needs.
 *   <li>W2: the same MLP, batch 1 on the caller's thread: mean, p50, p99 microseconds per call;
 *       the same on the images with no zero pixel ({@code no_zero_input_*}: a batch-1 product
 *       skips the weight rows of zero inputs); then through a bfloat16 snapshot ({@code bf16_*}). W1 also reports the bfloat16
 *       snapshot's test accuracy after training.
 *   <li>W3: the same MLP, batch 256: samples per second.
 *   <li>W4: the seed's XOR (1000 epochs, batch 4) and Iris (1000 epochs, batch 120) networks:
 *       wall seconds cold (first run in this JVM), warm (median of runs 6-15) and steady (median
 *       of 10 runs after {@code ModelCore.warmUp}, which switches Iris's narrow products and
 *       softmax to their vector twins).
 *   <li>W5: the Fashion-MNIST CNN ({@link FashionCnn}), Adam 1e-3, batch 64, 3 epochs: seconds
 *       per epoch (median of epochs 2-3) and test accuracy; then batch-1 prediction mean, p50 and
 *       p99 over 5,000 calls and batch-256 samples per second.
 *   <li>W6: a character LSTM ({@link LicenseLstm}) on Debian's license texts ({@link
 *       LicenseCorpus}): training characters per second (batch 32 x 64 characters a step; median of
 *       3 runs of 100 steps after 10 warm-up steps) at 1 thread and at {@code --threads}, and the
 *       latency of generating one character at batch 1 carrying the state ({@code ModelCore.step}
 *       plus drawing the next character with {@code Sampling} at temperature 1): mean, p50, p99
 *       over 2,000 characters after 500 untimed ones.
 * </ul>
 *
 * With {@code --json} each workload prints one JSON object per line.
 */
public final class Bench {
  private final int threads;
  private final boolean json;
  private final Data data;

  /** The MLP's layer widths, input first: W1-W3's network. */
  private static final int[] MLP_WIDTHS = {784, 256, 128, 10};
  /** Bytes of the MLP's float32 parameters: what a batch-1 prediction reads. */
  private static final int MLP_PARAMETER_BYTES = FashionMlpModel.PARAMETER_COUNT * Float.BYTES;
  private double fmaProbe = Double.NaN;

  private Bench(int threads, boolean json, Data data) {
    this.threads = threads;
    this.json = json;
    this.data = data;
  }

  /** One core's FMA GFLOPS, measured once per run (0.4 s), before the first workload that needs it. */
  private double fmaProbe() {
    if (Double.isNaN(fmaProbe)) {
      fmaProbe = MachineProbe.fmaGflops();
    }
    return fmaProbe;
  }

  /**
   * Floating-point operations of a dense network per sample: forward, or a training step's forward,
   * weight gradients and input gradients (none for the first layer). Products only.
   */
  static double denseFlopsPerSample(int[] widths, boolean training) {
    double forward = 0;
    double inputGradients = 0;
    for (int l = 1; l < widths.length; l++) {
      forward += 2.0 * widths[l - 1] * widths[l];
      if (l > 1) {
        inputGradients += 2.0 * widths[l - 1] * widths[l];
      }
    }
    return training ? 2 * forward + inputGradients : forward;
  }

  /** GFLOPS of the MLP's products at a rate of samples per second. */
  private static double productGflops(double samplesPerSecond, boolean training) {
    return samplesPerSecond * denseFlopsPerSample(MLP_WIDTHS, training) / 1e9;
  }

  /**
   * GFLOPS of the MLP's products at a rate of samples per second, and that as a share of the probe
   * times the threads used; on several threads also as a share of what those threads' probe
   * reads together right after the workload (a virtual machine's processors may share a core).
   */
  private void putProductRate(Map<String, Object> figures, double samplesPerSecond, boolean training, int threadCount) {
    double gflops = productGflops(samplesPerSecond, training);
    figures.put("gflops", gflops);
    figures.put("fma_probe_gflops", fmaProbe());
    figures.put("of_probe", gflops / (fmaProbe() * threadCount));
    if (threadCount > 1) {
      double together = MachineProbe.fmaGflopsOnThreads(threadCount);
      figures.put("fma_probe_on_threads_gflops", together);
      figures.put("of_probe_on_threads", gflops / together);
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> workloads = new ArrayList<>();
    int threads = Runtime.getRuntime().availableProcessors();
    boolean json = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--json":
          json = true;
          break;
        case "--threads":
          if (i + 1 >= args.length) {
            throw usage("--threads needs a number");
          }
          threads = Integer.parseInt(args[++i]);
          if (threads < 1) {
            throw usage("--threads must be >= 1");
          }
          break;
        case "probe":
        case "W1":
        case "W2":
        case "W3":
        case "W4":
        case "W5":
        case "W6":
          workloads.add(args[i]);
          break;
        case "all":
          workloads.addAll(List.of("probe", "W1", "W2", "W3", "W4", "W5", "W6"));
          break;
        default:
          throw usage("unknown argument " + args[i]);
      }
    }
    if (workloads.isEmpty()) {
      throw usage("name a workload");
    }
    Parallelism.setThreads(threads);
    Bench bench = new Bench(threads, json, Data.load(!json));
    for (String workload : workloads) {
      switch (workload) {
        case "probe":
          bench.probe();
          break;
        case "W1":
          bench.w1();
          break;
        case "W2":
          bench.w2();
          break;
        case "W3":
          bench.w3();
          break;
        case "W4":
          bench.w4();
          break;
        case "W5":
          bench.w5();
          break;
        case "W6":
          bench.w6();
          break;
        default:
          throw new AssertionError(workload);
      }
    }
  }

  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(
        problem + "; usage: kiln-samples.jar bench probe|W1|W2|W3|W4|W5|W6|all [--threads N] [--json]");
  }

  // ------------------------------------------------------------------ workloads

  /** This machine's limits, which the workloads' ratios are stated against. */
  private void probe() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("fma_gflops", fmaProbe());
    if (threads > 1) {
      figures.put("fma_gflops_on_" + threads + "_threads", MachineProbe.fmaGflopsOnThreads(threads));
    }
    figures.put("read_gbps_" + MLP_PARAMETER_BYTES / 1024 + "kib", MachineProbe.readGigabytesPerSecond(MLP_PARAMETER_BYTES));
    report("probe", 1, figures);
  }

  private void w1() {
    if (!data.real) {
      report("W1", Map.of("skipped", "Fashion-MNIST not installed: " + data.problem));
      return;
    }
    FashionMlpModel model = new FashionMlpModel(42, 64);
    double[] seconds = new double[10];
    FitOptions epoch = FitOptions.epochs(1).withBatchSize(64).withVerbose(!json);
    for (int e = 0; e < 5; e++) {
      seconds[e] = model.fit(data.trainX, data.trainY, epoch.withShuffle(1000 + e)).get("seconds")[0];
    }
    double accuracy = model.evaluate(data.testX, data.testY).accuracy();
    double bf16Accuracy = batchOneAccuracy(model.inference(WeightFormat.BFLOAT16), data.testX, data.testY);
    for (int e = 5; e < seconds.length; e++) {
      seconds[e] = model.fit(data.trainX, data.trainY, epoch.withShuffle(1000 + e)).get("seconds")[0];
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    double perEpoch = median(Arrays.copyOfRange(seconds, 1, 4));
    figures.put("seconds_per_epoch", perEpoch);
    figures.put("first_epoch_seconds", seconds[0]);
    figures.put("test_accuracy", accuracy);
    figures.put("bf16_test_accuracy", bf16Accuracy);
    putProductRate(figures, data.trainX.length / perEpoch, true, threads);
    double steady = median(Arrays.copyOfRange(seconds, 6, 10));
    figures.put("steady_seconds_per_epoch", steady);
    figures.put("steady_of_probe", productGflops(data.trainX.length / steady, true) / (fmaProbe() * threads));
    report("W1", figures);
  }

  private void w5() {
    if (!data.real) {
      report("W5", Map.of("skipped", "Fashion-MNIST not installed: " + data.problem));
      return;
    }
    FashionCnnModel model = new FashionCnnModel(42, 64);
    double[] seconds = new double[3];
    FitOptions epoch = FitOptions.epochs(1).withBatchSize(64).withVerbose(!json);
    for (int e = 0; e < seconds.length; e++) {
      seconds[e] = model.fit(data.trainX, data.trainY, epoch.withShuffle(1000 + e)).get("seconds")[0];
    }
    double accuracy = model.evaluate(data.testX, data.testY).accuracy();
    FashionCnnModel one = new FashionCnnModel(42, 1);
    one.core().setParameters(model.core().parameters());
    int calls = 5_000;
    long[] nanos = batchOneLatencies(one, data.testX, 2_000, calls);
    FashionCnnModel wide = new FashionCnnModel(42, 256);
    wide.core().setParameters(model.core().parameters());
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seconds_per_epoch", median(Arrays.copyOfRange(seconds, 1, 3)));
    figures.put("first_epoch_seconds", seconds[0]);
    figures.put("test_accuracy", accuracy);
    putLatencies(figures, "batch1_", nanos);
    figures.put("batch256_samples_per_second", samplesPerSecond(wide, data.testX, 256));
    report("W5", figures);
  }


  /**
   * The model's own batch-1 predictions (mean, p50, p99), then the same through a bfloat16
   * {@link Inference} snapshot ({@code bf16_*}: half the weight bytes).
   */
  private void w2() {
    FashionMlpModel model = new FashionMlpModel(42, 1);
    double warmUp = model.warmUp();
    int calls = 50_000;
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("calls", calls);
    putLatencies(figures, "", batchOneLatencies(model, data.testX, 20_000, calls));
    figures.put("warm_up_seconds", warmUp);
    Inference bf16 = model.inference(WeightFormat.BFLOAT16);
    putLatencies(figures, "bf16_", batchOneLatencies(bf16::predict, bf16.outputSize(), data.testX, 20_000, calls));
    // Half of an image's pixels are 0, whose weight rows a batch-1 product skips: the same images
    // with no zero pixel show the cost of reading every row. Last: the copies are 31 MB.
    putLatencies(figures, "no_zero_input_", batchOneLatencies(model, withoutZeros(data.testX), 20_000, calls));
    // The float32 bound: the parameters' bytes at the rate one core reads a block that size.
    double readBound = MLP_PARAMETER_BYTES / MachineProbe.readGigabytesPerSecond(MLP_PARAMETER_BYTES) / 1e3;
    figures.put("read_bound_us", readBound);
    figures.put("mean_over_read_bound", (Double) figures.get("mean_us") / readBound);
    report("W2", figures);
  }

  /** Copies of {@code samples} with every zero replaced by 1/255 (one grey level). */
  private static float[][] withoutZeros(float[][] samples) {
    float[][] copies = new float[samples.length][];
    for (int i = 0; i < samples.length; i++) {
      copies[i] = samples[i].clone();
      for (int j = 0; j < copies[i].length; j++) {
        if (copies[i][j] == 0f) {
          copies[i][j] = 1f / 255;
        }
      }
    }
    return copies;
  }

  /** Mean, p50 and p99 in microseconds of sorted call times, under keys starting with {@code prefix}. */
  private static void putLatencies(Map<String, Object> figures, String prefix, long[] nanos) {
    double sum = 0;
    for (long n : nanos) {
      sum += n;
    }
    figures.put(prefix + "mean_us", sum / nanos.length / 1e3);
    figures.put(prefix + "p50_us", nanos[nanos.length / 2] / 1e3);
    figures.put(prefix + "p99_us", nanos[nanos.length * 99 / 100] / 1e3);
  }

  /** One prediction into a caller's buffer: a model's or an {@link Inference}'s. */
  interface BatchOnePredictor {
    void predict(float[] x, float[] out);
  }

  /** {@link #batchOneLatencies(BatchOnePredictor, int, float[][], int, int)} of a model's own predictions. */
  static long[] batchOneLatencies(Model model, float[][] samples, int warmUpCalls, int calls) {
    return batchOneLatencies(model::predict, model.core().info().outputSize(), samples, warmUpCalls, calls);
  }

  /**
   * Times {@code calls} batch-1 predictions (after {@code warmUpCalls} untimed ones), cycling
   * through {@code samples}; returns the nanoseconds of each call, sorted.
   */
  static long[] batchOneLatencies(BatchOnePredictor predictor, int outputSize, float[][] samples, int warmUpCalls,
      int calls) {
    float[] out = new float[outputSize];
    for (int i = 0; i < warmUpCalls; i++) {
      predictor.predict(samples[i % samples.length], out);
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      float[] x = samples[i % samples.length];
      long start = System.nanoTime();
      predictor.predict(x, out);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  /** Accuracy of one-at-a-time predictions against one-hot targets ({@link Metrics}' accuracy). */
  private static double batchOneAccuracy(Inference inference, float[][] x, float[][] y) {
    float[][] predictions = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      predictions[i] = inference.predict(x[i]);
    }
    return Metrics.of(Metric.ACCURACY).compute(predictions, y, Metrics.Targets.ONE_HOT).values().get("accuracy");
  }

  /** W3 at one thread and at the configured count (the issue asks for 1 and 2). */
  private void w3() {
    int configured = threads;
    for (int t : configured == 1 ? new int[] {1} : new int[] {1, configured}) {
      Parallelism.setThreads(t);
      w3(t);
    }
    Parallelism.setThreads(configured);
  }

  private void w3(int threadCount) {
    int batch = 256;
    FashionMlpModel model = new FashionMlpModel(42, batch);
    model.warmUp();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("batch", batch);
    double rate = samplesPerSecond(model, data.testX, batch);
    figures.put("samples_per_second", rate);
    putProductRate(figures, rate, false, threadCount);
    report("W3", threadCount, figures);
  }

  /**
   * Batch predictions per second: the first {@code batch} samples as one batch, 200 untimed calls,
   * then the median of 5 runs of 0.4 s each.
   */
  static double samplesPerSecond(dev.kiln.runtime.Model model, float[][] samples, int batch) {
    int width = samples[0].length;
    float[] x = new float[batch * width];
    for (int r = 0; r < batch; r++) {
      System.arraycopy(samples[r % samples.length], 0, x, r * width, width);
    }
    float[] out = new float[batch * model.core().info().outputSize()];
    for (int i = 0; i < 200; i++) {
      model.core().predict(x, batch, out);
    }
    double[] rates = new double[5];
    for (int run = 0; run < rates.length; run++) {
      int batches = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        model.core().predict(x, batch, out);
        batches++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < 400_000_000L);
      rates[run] = batches * (double) batch / (elapsed / 1e9);
    }
    return median(rates);
  }


  /** W6 at one thread and at the configured count, as W3. */
  private void w6() throws IOException {
    Path directory = Path.of(LicenseCorpus.DIRECTORY);
    if (!Files.isDirectory(directory)) {
      report("W6", Map.of("skipped", directory + " not found (Debian's base-files installs it)"));
      return;
    }
    LicenseCorpus corpus = LicenseCorpus.load(directory);
    if (corpus.characters.length != LicenseCorpus.VOCABULARY) {
      report("W6", Map.of("skipped", "the corpus has " + corpus.characters.length + " distinct characters; W6 is"
          + " declared for " + LicenseCorpus.VOCABULARY + " (LicenseCorpus.VOCABULARY)"));
      return;
    }
    int configured = threads;
    for (int t : configured == 1 ? new int[] {1} : new int[] {1, configured}) {
      Parallelism.setThreads(t);
      w6(corpus, t);
    }
    Parallelism.setThreads(configured);
  }

  private void w6(LicenseCorpus corpus, int threadCount) {
    int batch = LicenseLstm.BATCH;
    int steps = LicenseLstm.STEPS;
    LicenseLstmModel model = new LicenseLstmModel(42, batch);
    // Batches prepared up front (so are PyTorch's): the figure is the training step's.
    float[][][][] batches = corpus.batches(16, batch, steps, 6);
    int step = 0;
    for (int i = 0; i < 10; i++, step++) {
      model.trainOnBatch(batches[step % batches.length][0], batches[step % batches.length][1]);
    }
    double[] seconds = new double[3];
    double loss = 0;
    for (int run = 0; run < seconds.length; run++) {
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++, step++) {
        loss = model.trainOnBatch(batches[step % batches.length][0], batches[step % batches.length][1]);
      }
      seconds[run] = (System.nanoTime() - start) / 1e9;
    }
    double perRun = median(seconds);
    long[] nanos = generationLatencies(model, corpus.characters.length, 500, 2_000);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("vocabulary", corpus.characters.length);
    figures.put("corpus_characters", corpus.text.length());
    figures.put("train_chars_per_second", 100.0 * batch * steps / perRun);
    figures.put("train_step_ms", perRun / 100 * 1e3);
    figures.put("loss_after_310_steps", loss);
    putLatencies(figures, "generate_", nanos);
    figures.put("generate_includes", "step and sampling");
    report("W6", threadCount, figures);
  }

  /**
   * Generates {@code warmUp + timed} characters at batch 1, one step each carrying the state,
   * feeding each drawn character back; returns the nanoseconds of the timed ones, sorted.
   */
  static long[] generationLatencies(LicenseLstmModel model, int vocabulary, int warmUp, int timed) {
    dev.kiln.runtime.ModelCore core = model.core();
    dev.kiln.runtime.RecurrentState state = core.newState();
    dev.kiln.runtime.Sampling sampling = new dev.kiln.runtime.Sampling(vocabulary, 6);
    float[] input = new float[vocabulary];
    float[] probabilities = new float[vocabulary];
    int current = 0;
    long[] nanos = new long[timed];
    for (int i = 0; i < warmUp + timed; i++) {
      long start = System.nanoTime();
      input[current] = 1;
      core.step(state, input, probabilities);
      input[current] = 0;
      current = sampling.sample(probabilities, 1.0, 0);
      long elapsed = System.nanoTime() - start;
      if (i >= warmUp) {
        nanos[i - warmUp] = elapsed;
      }
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private void w4() {
    Map<String, Object> figures = new LinkedHashMap<>();
    float[][] xorX = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    float[][] xorY = {{0}, {1}, {1}, {0}};
    IrisData iris = IrisData.load(0.2, 42);
    figures.put("xor_cold_seconds", timeXor(xorX, xorY));
    figures.put("iris_cold_seconds", timeIris(iris));
    double[] xor = new double[15];
    double[] irisRuns = new double[15];
    for (int i = 0; i < xor.length; i++) {
      xor[i] = timeXor(xorX, xorY);
      irisRuns[i] = timeIris(iris);
    }
    figures.put("xor_warm_seconds", median(Arrays.copyOfRange(xor, 5, xor.length)));
    figures.put("iris_warm_seconds", median(Arrays.copyOfRange(irisRuns, 5, irisRuns.length)));
    // What a program that calls ModelCore.warmUp gets: narrow kernels' vector twins switched on.
    new XorModel(Main.XOR_SEED, 4).core().warmUp(4, 3);
    new IrisModel(42, 120).core().warmUp(120, 3);
    for (int i = 0; i < 10; i++) {
      xor[i] = timeXor(xorX, xorY);
      irisRuns[i] = timeIris(iris);
    }
    figures.put("xor_steady_seconds", median(Arrays.copyOf(xor, 10)));
    figures.put("iris_steady_seconds", median(Arrays.copyOf(irisRuns, 10)));
    report("W4", figures);
  }

  private static double timeXor(float[][] x, float[][] y) {
    long start = System.nanoTime();
    new XorModel(Main.XOR_SEED, 4).fit(x, y, FitOptions.epochs(1000).withBatchSize(4).withVerbose(false));
    return (System.nanoTime() - start) / 1e9;
  }

  private static double timeIris(IrisData data) {
    long start = System.nanoTime();
    new IrisModel(42, 120).fit(data.trainX, data.trainY,
        FitOptions.epochs(1000).withBatchSize(data.trainX.length).withVerbose(false));
    return (System.nanoTime() - start) / 1e9;
  }

  // ------------------------------------------------------------------ output

  private void report(String workload, Map<String, ?> figures) {
    report(workload, threads, figures);
  }

  private void report(String workload, int threadCount, Map<String, ?> figures) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("workload", workload);
    line.put("threads", threadCount);
    line.put("jdk", System.getProperty("java.version"));
    line.put("simd", Gemm.ACTIVE.description());
    line.putAll(figures);
    System.out.println(json ? toJson(line) : toText(line));
  }

  static String toJson(Map<String, ?> values) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, ?> e : values.entrySet()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append('"').append(e.getKey()).append("\": ");
      Object v = e.getValue();
      if (v instanceof Number n) {
        out.append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : n.toString());
      } else {
        out.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    }
    return out.append('}').toString();
  }

  private static String toText(Map<String, ?> values) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      Object v = e.getValue();
      out.append(e.getKey()).append('=')
          .append(v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v).append("  ");
    }
    return out.toString().strip();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Fashion-MNIST when installed; W2 and W3 fall back to seeded random images without it. */
  static final class Data {
    final boolean real;
    final String problem;
    final float[][] trainX;
    final float[][] trainY;
    final float[][] testX;
    final float[][] testY;

    private Data(boolean real, String problem, float[][] trainX, float[][] trainY, float[][] testX, float[][] testY) {
      this.real = real;
      this.problem = problem;
      this.trainX = trainX;
      this.trainY = trainY;
      this.testX = testX;
      this.testY = testY;
    }

    static Data load(boolean verbose) {
      if (FashionMnist.isAvailable(Main.dataDirectory())) {
        try {
          FashionMnist data = FashionMnist.load(Main.dataDirectory());
          return new Data(true, null, data.trainImages(),
              FashionMnist.oneHot(data.trainLabels(), FashionMnist.CLASS_COUNT), data.testImages(),
              FashionMnist.oneHot(data.testLabels(), FashionMnist.CLASS_COUNT));
        } catch (IOException e) {
          return random(e.getMessage(), verbose);
        }
      }
      return random(Main.missingDataMessage(Main.dataDirectory()), verbose);
    }

    /** Seeded random images: enough for the timing of W2 and W3, not for W1's accuracy. */
    private static Data random(String problem, boolean verbose) {
      if (verbose) {
        System.out.println("Fashion-MNIST unavailable (" + problem + "): W2 and W3 use random images, W1 is skipped");
      }
      SplittableRandom random = new SplittableRandom(7);
      float[][] x = new float[1000][FashionMnist.IMAGE_SIZE];
      for (float[] row : x) {
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) random.nextDouble();
        }
      }
      return new Data(false, problem, null, null, x, null);
    }
  }
}
