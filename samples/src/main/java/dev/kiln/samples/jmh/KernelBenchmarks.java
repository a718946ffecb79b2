package dev.kiln.samples.jmh;

import dev.kiln.runtime.kernels.Elementwise;
import dev.kiln.runtime.kernels.Gemm;
import dev.kiln.runtime.kernels.KernelSelector;
import dev.kiln.runtime.kernels.Recurrent;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.optim.Optimizers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the hot kernels at the benchmark MLP's shapes, plus an FMA-throughput probe
 * that measures this machine's peak in the same run ({@link KernelBenchmarkRunner} turns the
 * times into GFLOPS and fractions of that peak).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmarks {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** Single-threaded, so GFLOPS compare with the one-core FMA probe. */
  private final Gemm gemm = KernelSelector.vectorGemm();
  /** With the worker pool, as generated models use them. */
  private final Gemm threaded = Gemm.ACTIVE;
  private final Elementwise elementwise = KernelSelector.vectorElementwise();
  private float[] x64;
  private float[] x256;
  private float[] weights;
  private float[] out256;
  /** W1's backward shapes: output gradients of the 256- and 128-wide layers, the weight gradient, the input gradient. */
  private float[] dy64x256;
  private float[] dy64x128;
  private float[] dW784x256;
  private float[] w256x128;
  private float[] dx64x256;
  /** W1's narrower layers (the 256 -> 128 weights are w256x128): the 128 -> 10 weights, outputs and gradients. */
  private float[] w128x10;
  private float[] out64x128;
  private float[] out64x10;
  private float[] dW256x128;
  private float[] dW128x10;
  private float[] dy64x10;
  private Optimizer checkedAdam;
  private float[] sample;
  /** {@link #sample} with half its values (chosen at random) zero, and the skipping product's scratch. */
  private float[] halfZeroSample;
  private final int[] nonzeroRows = new int[784];
  /** {@link #weights} rounded to bfloat16 in the order Gemm.packBf16 lays out. */
  private short[] weightsBf16;
  private float[] logits;
  private float[] probabilities;
  private float[] params;
  private float[] grads;
  private Optimizer adam;
  /** W6's LSTM: 86 one-hot inputs, 128 units, gates fused [.., 512]; W_ih, W_hh and the bias in one array. */
  private float[] lstmWeights;
  private float[] lstmStepInput;
  private float[] lstmStepGates;
  private float[] lstmStepHidden;
  private float[] lstmStepCells;
  private float[] lstmBatchInput;
  private float[] lstmBatchGates;
  private float[] lstmBatchHidden;
  private float[] lstmBatchCells;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    x64 = randoms(random, 64 * 784);
    x256 = randoms(random, 256 * 784);
    weights = randoms(random, 784 * 256);
    out256 = new float[256 * 256];
    dy64x256 = randoms(random, 64 * 256);
    dy64x128 = randoms(random, 64 * 128);
    dW784x256 = new float[784 * 256];
    w256x128 = randoms(random, 256 * 128);
    dx64x256 = new float[64 * 256];
    w128x10 = randoms(random, 128 * 10);
    out64x128 = new float[64 * 128];
    out64x10 = new float[64 * 10];
    dW256x128 = new float[256 * 128];
    dW128x10 = new float[128 * 10];
    dy64x10 = randoms(random, 64 * 10);
    sample = randoms(random, 784);
    halfZeroSample = sample.clone();
    for (int i = 0; i < halfZeroSample.length; i++) {
      if (random.nextBoolean()) {
        halfZeroSample[i] = 0f;
      }
    }
    weightsBf16 = new short[weights.length];
    gemm.packBf16(784, 256, weights, 0, 256, weightsBf16);
    logits = randoms(random, 256 * 10);
    probabilities = new float[256 * 10];
    params = randoms(random, 235_146);
    grads = randoms(random, 235_146);
    adam = Optimizers.adam(params.length, 1e-3f, 0.9f, 0.999f, 1e-7f);
    checkedAdam = Optimizers.adam(params.length, 1e-3f, 0.9f, 0.999f, 1e-7f);
    lstmWeights = randoms(random, (LSTM_INPUTS + LSTM_UNITS + 1) * 4 * LSTM_UNITS);
    for (int i = 0; i < lstmWeights.length; i++) {
      lstmWeights[i] *= 0.2f; // keeps the gates away from saturation, as trained weights are
    }
    lstmStepInput = new float[LSTM_INPUTS];
    lstmStepInput[7] = 1;
    lstmStepGates = new float[4 * LSTM_UNITS];
    lstmStepHidden = randoms(random, 2 * LSTM_UNITS);
    lstmStepCells = randoms(random, 2 * LSTM_UNITS);
    lstmBatchInput = new float[32 * 64 * LSTM_INPUTS];
    for (int r = 0; r < 32 * 64; r++) {
      lstmBatchInput[r * LSTM_INPUTS + random.nextInt(LSTM_INPUTS)] = 1;
    }
    lstmBatchGates = new float[32 * 64 * 4 * LSTM_UNITS];
    lstmBatchHidden = new float[32 * 65 * LSTM_UNITS];
    lstmBatchCells = new float[32 * 65 * LSTM_UNITS];
  }

  static final int LSTM_INPUTS = 86;
  static final int LSTM_UNITS = 128;

  /**
   * One LSTM time step at batch 1 (W6's generation): the input and recurrent products and the gate
   * math, from the state in slot 0 to slot 1.
   */
  @Benchmark
  public float[] lstmStep1x86x128() {
    Recurrent.lstmForward(gemm, 1, 1, LSTM_INPUTS, LSTM_UNITS, Recurrent.TANH, Recurrent.SIGMOID, lstmStepInput, 0,
        lstmWeights, 0, LSTM_INPUTS * 4 * LSTM_UNITS, (LSTM_INPUTS + LSTM_UNITS) * 4 * LSTM_UNITS, lstmStepGates,
        lstmStepHidden, lstmStepCells);
    return lstmStepHidden;
  }

  /**
   * W6's training forward pass through the LSTM: 32 sequences of 64 steps from the zero state.
   * Longer warm-up: the first call runs 1.3 million gate updates in the interpreter (seconds).
   */
  @Benchmark
  @Warmup(iterations = 5, time = 2)
  public float[] lstmForward32x64x86x128() {
    Recurrent.lstmForward(gemm, 32, 64, LSTM_INPUTS, LSTM_UNITS, Recurrent.TANH, Recurrent.SIGMOID, lstmBatchInput,
        0, lstmWeights, 0, LSTM_INPUTS * 4 * LSTM_UNITS, (LSTM_INPUTS + LSTM_UNITS) * 4 * LSTM_UNITS, lstmBatchGates,
        lstmBatchHidden, lstmBatchCells);
    return lstmBatchHidden;
  }

  private static float[] randoms(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() - 0.5);
    }
    return v;
  }

  /** Forward product of the first layer at training batch 64: [64 x 784] x [784 x 256]. */
  @Benchmark
  public float[] gemm64x784x256() {
    gemm.gemm(64, 256, 784, x64, 0, 784, weights, 0, 256, out256, 0, 256, false);
    return out256;
  }

  /** W1's first weight gradient: X^T dY, [784 x 64] x [64 x 256] with X stored [64 x 784]. */
  @Benchmark
  public float[] gemmTransA784x64x256() {
    gemm.gemmTransA(784, 256, 64, x64, 0, 784, dy64x256, 0, 256, dW784x256, 0, 256, false);
    return dW784x256;
  }

  /** W1's second layer input gradient: dY W^T, [64 x 128] x [128 x 256] with W stored [256 x 128]. */
  @Benchmark
  public float[] gemmTransB64x128x256() {
    gemm.gemmTransB(64, 256, 128, dy64x128, 0, 128, w256x128, 0, 128, dx64x256, 0, 256, false);
    return dx64x256;
  }

  /** W1's second layer forward: [64 x 256] x [256 x 128]. */
  @Benchmark
  public float[] gemm64x256x128() {
    gemm.gemm(64, 128, 256, x64, 0, 256, w256x128, 0, 128, out64x128, 0, 128, false);
    return out64x128;
  }

  /** W1's output layer forward: [64 x 128] x [128 x 10]. */
  @Benchmark
  public float[] gemm64x128x10() {
    gemm.gemm(64, 10, 128, x64, 0, 128, w128x10, 0, 10, out64x10, 0, 10, false);
    return out64x10;
  }

  /** W1's second weight gradient: [256 x 64] x [64 x 128], X stored [64 x 256]. */
  @Benchmark
  public float[] gemmTransA256x64x128() {
    gemm.gemmTransA(256, 128, 64, x64, 0, 256, dy64x128, 0, 128, dW256x128, 0, 128, false);
    return dW256x128;
  }

  /** W1's output weight gradient: [128 x 64] x [64 x 10], X stored [64 x 128]. */
  @Benchmark
  public float[] gemmTransA128x64x10() {
    gemm.gemmTransA(128, 10, 64, x64, 0, 128, dy64x10, 0, 10, dW128x10, 0, 10, false);
    return dW128x10;
  }

  /** W1's output layer input gradient: [64 x 10] x [10 x 128], W stored [128 x 10]. */
  @Benchmark
  public float[] gemmTransB64x10x128() {
    gemm.gemmTransB(64, 128, 10, dy64x10, 0, 10, w128x10, 0, 10, out64x128, 0, 128, false);
    return out64x128;
  }

  /** The same at inference batch 256. */
  @Benchmark
  public float[] gemm256x784x256() {
    gemm.gemm(256, 256, 784, x256, 0, 784, weights, 0, 256, out256, 0, 256, false);
    return out256;
  }

  /** The same on every core, as models run it by default (split by rows across the worker pool). */
  @Benchmark
  public float[] gemm256x784x256Threaded() {
    threaded.gemm(256, 256, 784, x256, 0, 784, weights, 0, 256, out256, 0, 256, false);
    return out256;
  }

  /** Batch-1 prediction's first layer: [1 x 784] x [784 x 256]. */
  @Benchmark
  public float[] gemv784x256() {
    gemm.gemm(1, 256, 784, sample, 0, 784, weights, 0, 256, out256, 0, 256, false);
    return out256;
  }

  /**
   * The same product over an input half zeros (about a Fashion image's share of background pixels),
   * skipping their weight rows as a batch-1 Dense layer over the network input does.
   */
  @Benchmark
  public float[] gemv784x256HalfZeros() {
    gemm.rowTimesMatrixSkippingZeros(256, 784, halfZeroSample, 0, weights, 0, 256, out256, 0, nonzeroRows);
    return out256;
  }

  /** The same product over bfloat16 weights (a bfloat16 snapshot's first layer). */
  @Benchmark
  public float[] gemvBf16_784x256() {
    gemm.gemmBf16(1, 256, 784, sample, 0, 784, weightsBf16, 0, 256, out256, 0, 256, false);
    return out256;
  }

  /**
   * Iris's five products of a training step (forward 120x10x4 and 120x3x10, the two weight
   * gradients, the hidden layer's input gradient) as a model runs them after {@code warmUp}: vector
   * narrow products (the state's setup switches them on).
   */
  @Benchmark
  public float[] irisStepProducts(IrisLayers iris) {
    iris.products();
    return iris.dw;
  }

  /** The same products as fma chains: {@code -Dkiln.vectorWarmUp=false} keeps the vector path shut. */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dkiln.vectorWarmUp=false"})
  public float[] irisStepProductsChains(IrisLayers iris) {
    iris.products();
    return iris.dw;
  }

  /** Iris (4 -> 10 -> 3 at batch 120): input, weights, pre-activations and their gradients. */
  @State(Scope.Thread)
  public static class IrisLayers {
    private final Gemm gemm = KernelSelector.vectorGemm();
    private float[] x;
    private float[] w1;
    private float[] h;
    private float[] w2;
    private float[] o;
    private float[] dw;

    /**
     * As ModelCore.warmUp does: runs the products once and switches them to their vector twins
     * (not in irisStepProductsChains' fork, where -Dkiln.vectorWarmUp=false keeps them shut).
     */
    @Setup
    public void setUp() {
      SplittableRandom random = new SplittableRandom(2);
      x = randoms(random, 120 * 4);
      w1 = randoms(random, 4 * 10);
      h = randoms(random, 120 * 10);
      w2 = randoms(random, 10 * 3);
      o = randoms(random, 120 * 3);
      dw = new float[4 * 10];
      products();
      gemm.compileVectorTwins();
    }

    void products() {
      gemm.gemm(120, 10, 4, x, 0, 4, w1, 0, 10, h, 0, 10, false);
      gemm.gemm(120, 3, 10, h, 0, 10, w2, 0, 3, o, 0, 3, false);
      gemm.gemmTransA(10, 3, 120, h, 0, 10, o, 0, 3, dw, 0, 3, false);
      gemm.gemmTransB(120, 10, 3, o, 0, 3, w2, 0, 3, h, 0, 10, false);
      gemm.gemmTransA(4, 10, 120, x, 0, 4, h, 0, 10, dw, 0, 10, false);
    }
  }

  /** The output softmax at batch 256 over 10 classes. */
  @Benchmark
  public float[] softmax256x10() {
    elementwise.softmax(256, 10, 1f, logits, 0, probabilities, 0);
    return probabilities;
  }

  /** Runs a benchmark on one thread (the optimizer would split long ranges across the pool). */
  @State(Scope.Thread)
  public static class OneThread {
    @Setup
    public void oneThread() {
      dev.kiln.runtime.kernels.Parallelism.setThreads(1);
    }
  }

  /** One Adam step over all 235,146 parameters of the benchmark MLP, on one thread. */
  @Benchmark
  public float[] adam235k(OneThread oneThread) {
    adam.step(params, grads, 0, params.length);
    return params;
  }

  /** The same step as training runs it by default (refused if it would leave a value non-finite), on one thread. */
  @Benchmark
  public boolean adamChecked235k(OneThread oneThread) {
    return checkedAdam.stepIfFinite(params, grads, 0, params.length);
  }

  /**
   * Independent FMA chains on vector registers: the core's floating-point peak. Not inlined into
   * JMH's measurement loop: inlined there, C2 left it several times slower than the same code run
   * on its own.
   */
  @Benchmark
  @org.openjdk.jmh.annotations.CompilerControl(org.openjdk.jmh.annotations.CompilerControl.Mode.DONT_INLINE)
  public float fmaPeak() {
    return dev.kiln.samples.MachineProbe.fmaChains();
  }
}
