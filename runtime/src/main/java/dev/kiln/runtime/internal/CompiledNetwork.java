package dev.kiln.runtime.internal;

import dev.kiln.runtime.kernels.Gemm;
import dev.kiln.runtime.kernels.IdlePool;
import dev.kiln.runtime.kernels.Noise;
import dev.kiln.runtime.kernels.ParallelRanges;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The contract between generated code and the runtime (its SPI). A generated subclass holds every
 * buffer sized for {@link #maxBatch} and implements the forward and backward passes as
 * straight-line calls into the kernels; the engine ({@code ModelCore} and its parts) drives it
 * through the public final methods below. Users never call this class.
 */
public abstract class CompiledNetwork {
  /** Largest batch the buffers hold. */
  protected final int maxBatch;
  /** Every parameter of every layer; layers own slices (see {@link TensorSlice}). */
  protected final float[] params;
  /** Gradients, same layout as {@link #params}. */
  protected final float[] grads;
  /** The current batch of each input, [maxBatch x inputSize(i)], row-major. */
  protected final float[][] inputBuffers;
  /** The gradient of the loss with respect to each input, written when {@link #inputGradients} is set. */
  protected final float[][] inputGradientBuffers;
  /** Whether {@link #backward} computes parameter gradients (not when only input gradients are wanted). */
  protected boolean parameterGradients = true;
  /** Whether {@link #backward} computes the gradients with respect to the inputs. */
  protected boolean inputGradients;
  /**
   * Whether {@link #backward} starts from the loss (true) or from a gradient the caller wrote into
   * {@link #outputGradient()} (false).
   */
  protected boolean lossGradient = true;
  /**
   * Whether a training-mode {@link #forward} updates batch normalization's moving statistics
   * (false for a pass that must leave the network untouched, see {@link #runForward(int, boolean,
   * boolean)}).
   */
  protected boolean updateStatistics = true;
  /**
   * The current batch's targets, [maxBatch x targetSize]; empty in an inference program until
   * {@link #allocateTargets} (one that evaluates a loss).
   */
  protected float[] target;
  /**
   * The loss weight of each row of the output ([n x output positions]: a sample's weight repeated
   * over its positions), or null when every row weighs 1 (unweighted training, the default). The
   * generated loss call passes it to {@code Losses}; the engine sets it per batch.
   */
  protected float[] lossWeights;
  /**
   * The noise state (slots in {@code kernels.Noise}): the stream dropout masks and Gaussian noise
   * draw from, and the seed and sample count the augmentation layers' per-sample draws derive
   * from; seeded from the model's seed, so training is reproducible.
   */
  protected final long[] noise = new long[Noise.STATE_LENGTH];
  /**
   * Per layer (execution order), whether it is frozen at run time. A frozen batch-norm layer runs
   * in inference mode even in training (Keras's rule): the generated forward tests {@code training
   * && !frozen[i]}.
   */
  protected final boolean[] frozen;
  private final int outputWidth;
  /**
   * False for an inference program (built on shared parameters): it never runs a backward pass, so
   * its gradient-side buffers are empty arrays (see {@link #gradientBuffer}).
   */
  protected final boolean forTraining;
  private static final float[] NO_BUFFER = new float[0];
  /**
   * An inference program's Dense weights as bfloat16 (at their offsets in the parameter array, each
   * matrix in {@code Gemm.packBf16}'s order; other positions unused), or null: then batch-1 Dense
   * products read these, at half the bytes
   * ({@link #denseProduct}). {@link #params} then holds the same weights rounded to bfloat16 for
   * the batched products, so a sample gets the same output alone or in a batch.
   */
  private short[] bfloat16Weights;
  /**
   * Narrower layers read their float32 copy (the same rounded values, so the same result): their
   * columns are summed as scalar chains that would widen every weight, and their weights are a few
   * KB either way (W2's 128 x 10 output layer: 0.63 us from bfloat16, 0.41-0.44 from float32).
   */
  private static final int BFLOAT16_MIN_WIDTH = 16;
  /**
   * Whether every parameter is known finite, which lets batch-1 Dense products skip the weight rows
   * of zero inputs ({@link Gemm#rowTimesMatrixSkippingZeros}: the same floats, since 0 x w adds
   * +-0; but 0 x infinity and 0 x NaN are NaN, so a model with such a weight must not skip).
   * {@link #UNCHECKED} until a batch-1 product checks (one pass over the parameters), again after
   * every write ({@link #parametersChanged}); {@link #NEVER} for a program reading another
   * program's live parameters, whose writes it cannot see.
   */
  private byte parametersFinite;
  private static final byte UNCHECKED = 0;
  private static final byte FINITE = 1;
  private static final byte NOT_FINITE = 2;
  private static final byte NEVER = 3;
  /** {@link Gemm#rowTimesMatrixSkippingZeros}'s scratch, grown to the widest Dense input on first use. */
  private int[] nonzeroRows = new int[0];
  /** Rows a part of a split prediction takes at least ({@link #MIN_MULTIPLY_ADDS_PER_PART}). */
  private final int rowsPerPart;
  /** Created by the first split prediction: most programs never split one. */
  private RowParts rowParts;

  protected CompiledNetwork(NetworkInfo info, int maxBatch) {
    this(info, maxBatch, null);
  }

  /**
   * With {@code sharedParams} not null, the network reads those parameters (an inference copy
   * that many threads share read-only) and has no gradients; otherwise it owns fresh ones.
   */
  protected CompiledNetwork(NetworkInfo info, int maxBatch, float[] sharedParams) {
    this(info, inputWidths(info), info.outputSize(), maxBatch, sharedParams);
  }

  /**
   * As above with the input and output widths given: a {@link StepNetwork} runs the declared
   * network's layers on one time step, whose widths are not the declared sequence's.
   */
  protected CompiledNetwork(NetworkInfo info, int[] inputWidths, int outputWidth, int maxBatch, float[] sharedParams) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
    }
    if (sharedParams != null && sharedParams.length != info.parameterCount()) {
      throw new IllegalArgumentException(
          "shared parameters have " + sharedParams.length + " values, the network " + info.parameterCount());
    }
    this.maxBatch = maxBatch;
    this.forTraining = sharedParams == null;
    this.outputWidth = outputWidth;
    this.params = sharedParams != null ? sharedParams : new float[info.parameterCount()];
    this.grads = sharedParams != null ? new float[0] : new float[params.length];
    int inputs = inputWidths.length;
    this.inputBuffers = new float[inputs][];
    this.inputGradientBuffers = new float[inputs][];
    for (int i = 0; i < inputs; i++) {
      inputBuffers[i] = batchBuffer(maxBatch, inputWidths[i]);
      inputGradientBuffers[i] = gradientBuffer(maxBatch, inputWidths[i]);
    }
    this.target = gradientBuffer(maxBatch, info.targetSize());
    this.parametersFinite = forTraining ? UNCHECKED : NEVER;
    this.frozen = new boolean[info.layers().size()];
    long perRow = Math.max(1, params.length);
    this.rowsPerPart = (int) Math.max(MIN_ROWS_PER_PART, Math.min(Integer.MAX_VALUE / 2,
        (MIN_MULTIPLY_ADDS_PER_PART + perRow - 1) / perRow));
  }

  private static int[] inputWidths(NetworkInfo info) {
    int[] widths = new int[info.inputs().size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = info.inputSize(i);
    }
    return widths;
  }

  /**
   * Makes an inference program's batch-1 Dense products read {@code weights} (bfloat16, the
   * parameter array's layout) instead of {@link #params}, which must already hold the same
   * values as float32.
   */
  public final void useBfloat16Weights(short[] weights) {
    if (forTraining) {
      throw new IllegalStateException("bfloat16 weights are for inference programs only");
    }
    if (weights.length != params.length) {
      throw new IllegalArgumentException(
          "bfloat16 weights have " + weights.length + " values, the network " + params.length);
    }
    this.bfloat16Weights = weights;
  }

  /**
   * Declares an inference program's shared parameters a snapshot nobody writes ({@code
   * Inference}'s), which its owner found {@code allFinite} or not ({@link #allFinite}, once for all
   * its programs): if so, batch-1 products skip zero inputs.
   */
  public final void useParameterSnapshot(boolean allFinite) {
    if (forTraining) {
      throw new IllegalStateException("a training program owns its parameters; they are not a snapshot");
    }
    parametersFinite = allFinite ? FINITE : NOT_FINITE;
  }

  /**
   * Called after anything may have written the parameters (an optimizer step, a load, a layer's
   * new weights, batch norm's moving statistics): the next batch-1 product checks them again.
   */
  public final void parametersChanged() {
    if (parametersFinite != NEVER) {
      parametersFinite = UNCHECKED;
    }
  }

  /** Whether batch-1 Dense products may skip zero inputs: every parameter finite, checked once per change. */
  private boolean skipsZeroInputs() {
    if (parametersFinite == UNCHECKED) {
      parametersFinite = allFinite(params) ? FINITE : NOT_FINITE;
    }
    return parametersFinite == FINITE;
  }

  /**
   * Whether no value is NaN or infinite: {@code (bits & 0x7f800000) + 0x00800000} is negative
   * exactly for those, ORed over the array (a loop C2 vectorizes; plain Java, so a cold JVM's first
   * call neither boxes vectors nor waits for C2, as the Vector API's interpreted form would).
   */
  public static boolean allFinite(float[] values) {
    int flags = 0;
    for (float v : values) {
      flags |= (Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000;
    }
    return flags >= 0;
  }

  /**
   * A Dense layer's product {@code out[rows x width] = in[rows x inWidth] W}, W at {@code
   * weightOffset} in the parameters ([inWidth x width], row-major): from the bfloat16 copy for one
   * row of a layer at least {@link #BFLOAT16_MIN_WIDTH} wide when the program has one, else from
   * {@link #params}. Both sum each output as the same fma chain over the same values, so the two
   * give the same floats.
   */
  protected final void denseProduct(int rows, int width, int inWidth, float[] in, int weightOffset, float[] out) {
    short[] half = bfloat16Weights;
    if (half != null && rows == 1 && width >= BFLOAT16_MIN_WIDTH) {
      Gemm.ACTIVE.gemmBf16(1, width, inWidth, in, 0, inWidth, half, weightOffset, width, out, 0, width, false);
    } else {
      Gemm.ACTIVE.gemm(rows, width, inWidth, in, 0, inWidth, params, weightOffset, width, out, 0, width, false);
    }
  }

  /**
   * {@link #denseProduct} for a layer whose input typically holds many zeros (a ReLU's output, the
   * network's input: the processor's {@code LayerSpec.outputHasZeros}): one row from float32
   * weights reads only the weight rows of its non-zero inputs ({@link
   * Gemm#rowTimesMatrixSkippingZeros}), when every parameter is finite; the same floats. W2's
   * 784 x 256 layer on Fashion's test images (half their pixels zero): 8.8 -> 5.1-6.1 us. Other
   * layers keep {@link #denseProduct}: their inputs are rarely zero, and counting them costs ~4%.
   */
  protected final void denseProductSkippingZeroInputs(int rows, int width, int inWidth, float[] in, int weightOffset,
      float[] out) {
    if (rows == 1 && bfloat16Weights == null && skipsZeroInputs()) {
      if (nonzeroRows.length < inWidth) {
        nonzeroRows = new int[inWidth];
      }
      Gemm.ACTIVE.rowTimesMatrixSkippingZeros(width, inWidth, in, 0, params, weightOffset, width, out, 0, nonzeroRows);
    } else {
      denseProduct(rows, width, inWidth, in, weightOffset, out);
    }
  }

  /**
   * A buffer of {@code perSample} values for each of {@code maxBatch} samples; a clear error when
   * the product is more than a Java array holds.
   */
  protected static float[] batchBuffer(int maxBatch, int perSample) {
    return new float[checkedSize(maxBatch, perSample)];
  }

  private static int checkedSize(int maxBatch, int perSample) {
    long size = (long) maxBatch * perSample;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBatch " + maxBatch + " x " + perSample + " values per sample = " + size
          + " values, more than a Java array holds; build the model with a smaller maxBatch");
    }
    return (int) size;
  }

  /**
   * A buffer only training uses (gradients, dropout masks, targets): as {@link #batchBuffer} in a
   * training program, an empty array in an inference program, which then holds its activations
   * alone (about half the memory).
   */
  protected final float[] gradientBuffer(int maxBatch, int perSample) {
    int size = checkedSize(maxBatch, perSample); // the same check either way
    return forTraining ? new float[size] : NO_BUFFER;
  }

  /** Creates programs of one generated network: how {@code Inference} fills its pool. */
  @FunctionalInterface
  public interface Factory {
    CompiledNetwork create(int maxBatch, float[] sharedParams);
  }

  /** The network's static description. */
  public abstract NetworkInfo info();

  /**
   * Inference on rows {@code [firstRow, firstRow + n)} of {@code x} ([rows x inputSize]) into the
   * same rows of {@code out} ([rows x outputSize]), in batches of at most {@link #maxBatch}.
   * Callers check the arguments.
   */
  public final void predictRows(float[] x, int firstRow, int n, float[] out) {
    float[] input = inputBuffers[0];
    int inputWidth = input.length / maxBatch;
    int end = firstRow + n;
    for (int from = firstRow; from < end; from += maxBatch) {
      int rows = Math.min(maxBatch, end - from);
      System.arraycopy(x, from * inputWidth, input, 0, rows * inputWidth);
      forward(rows, false);
      System.arraycopy(output(), 0, out, from * outputWidth, rows * outputWidth);
    }
  }

  /**
   * Programs of one network kept for reuse ({@link IdlePool}), made by {@code create} when none is
   * idle: serving's pool, and where a prediction split over threads gets a program for each part
   * it does not run itself.
   */
  public static final class Programs {
    private final IdlePool<CompiledNetwork> idle;
    private final Supplier<CompiledNetwork> create;

    /** Keeps at most {@code size} idle programs. */
    public Programs(int size, Supplier<CompiledNetwork> create) {
      this.idle = new IdlePool<>(size);
      this.create = create;
    }

    public CompiledNetwork borrow() {
      CompiledNetwork program = idle.take();
      return program != null ? program : create.get();
    }

    public void giveBack(CompiledNetwork program) {
      idle.giveBack(program);
    }

    /** Most idle programs kept. */
    public int size() {
      return idle.size();
    }
  }

  /**
   * Multiply-adds (estimated as rows times parameters) a part of a split prediction must have:
   * below ~10 us of work, a hand-off costs more than the second core saves.
   */
  static final long MIN_MULTIPLY_ADDS_PER_PART = 1_000_000;
  /** Part boundaries are multiples of this many rows ({@link ParallelRanges}'s alignment). */
  private static final int MIN_ROWS_PER_PART = 16;

  /**
   * As {@link #predictRows(float[], int, int, float[])} from row 0, in parts of rows on the worker
   * pool when the batch is large enough and {@code others} is not null: this program runs the
   * caller's part, each other part runs on a program from {@code others}. Rows are independent in
   * inference (each output row is computed by the same operations alone as in any batch), so a
   * split changes no bit. A pool busy with another caller, or one thread, runs it all here.
   */
  public final void predictRows(float[] x, int n, float[] out, Programs others) {
    if (others == null || !splitsPrediction(n)) {
      predictRows(x, 0, n, out);
      return;
    }
    RowParts parts = rowParts;
    if (parts == null) {
      parts = rowParts = new RowParts();
    }
    parts.set(x, out, others);
    try {
      ParallelRanges.run(0, n, rowsPerPart, parts);
    } finally {
      parts.set(null, null, null);
    }
  }

  /** Whether a prediction of {@code n} rows would run in parts now (its size, the thread count). */
  public final boolean splitsPrediction(int n) {
    return n >= rowsToSplit() && ParallelRanges.maxParts() >= 2;
  }

  /** The fewest rows a prediction splits into parts: two parts' worth. */
  public final int rowsToSplit() {
    return 2 * rowsPerPart;
  }

  /** The parts of {@link #predictRows(float[], int, float[], Programs)}, reused by every call. */
  private final class RowParts implements ParallelRanges.RangeTask {
    private float[] x;
    private float[] out;
    private Programs others;
    private Thread caller;

    void set(float[] x, float[] out, Programs others) {
      this.x = x;
      this.out = out;
      this.others = others;
      this.caller = x == null ? null : Thread.currentThread();
    }

    @Override
    public void run(int from, int to) {
      if (Thread.currentThread() == caller) {
        predictRows(x, from, to - from, out);
        return;
      }
      CompiledNetwork program = others.borrow();
      try {
        program.predictRows(x, from, to - from, out);
      } finally {
        others.giveBack(program);
      }
    }
  }

  // ---------------------------------------------------------------- what the engine calls

  public final int maxBatch() {
    return maxBatch;
  }

  /** The parameter array itself (not a copy): the caller may write it, so it counts as a change. */
  public final float[] parameterArray() {
    parametersChanged();
    return params;
  }

  /** The gradient array itself, same layout as {@link #parameterArray()}. */
  public final float[] gradientArray() {
    return grads;
  }

  public final float[] inputBuffer(int input) {
    return inputBuffers[input];
  }

  public final float[] inputGradientBuffer(int input) {
    return inputGradientBuffers[input];
  }

  public final float[] targetBuffer() {
    return target;
  }

  /**
   * Gives an inference program a target buffer, so it can compute losses ({@link #runLoss}): the
   * parts of an evaluation split over threads. A training program has one already.
   */
  public final void allocateTargets() {
    if (target.length == 0) {
      target = batchBuffer(maxBatch, info().targetSize());
    }
  }

  /**
   * Weights the next losses by row (see {@link #lossWeights}); null for unweighted. The array is
   * the caller's buffer, read at each loss: refill it for each batch.
   */
  public final void setLossWeights(float[] rowWeights) {
    this.lossWeights = rowWeights;
  }

  public final float[] outputBuffer() {
    return output();
  }

  public final float[] outputGradientBuffer() {
    return outputGradient();
  }

  public final float[] layerOutputBuffer(int layer) {
    return layerOutput(layer);
  }

  /** The per-layer frozen flags themselves (execution order); see {@link #frozen}. */
  public final boolean[] frozenFlags() {
    return frozen;
  }

  /** The noise state itself ({@code kernels.Noise}'s slots): dropout, Gaussian noise and augmentation draw from it. */
  public final long[] noiseState() {
    return noise;
  }

  public final void initializeParameters(SplittableRandom random) {
    initialize(random);
    parametersChanged();
  }

  public final void runForward(int n, boolean training) {
    forward(n, training);
    countTrainingSamples(n, training);
  }

  /** After a training-mode pass: the next batch's samples come later in the training stream. */
  private void countTrainingSamples(int n, boolean training) {
    if (training) {
      noise[Noise.SAMPLES_SEEN] += n;
      parametersChanged(); // batch norm's moving statistics
    }
  }

  /**
   * A forward pass; in training mode with {@code updateStatistics} false, batch normalization
   * normalizes with the batch's statistics but leaves its moving statistics as they were.
   */
  public final void runForward(int n, boolean training, boolean updateStatistics) {
    this.updateStatistics = updateStatistics;
    try {
      forward(n, training);
      countTrainingSamples(n, training);
    } finally {
      this.updateStatistics = true;
    }
  }

  /** The mean loss (with penalties) of the last forward pass, without gradients. */
  public final double runLoss(int n) {
    return loss(n);
  }

  /**
   * One backward pass with the given parts switched on (see {@link #backward}); afterwards the
   * flags are back at a training step's (parameter gradients from the loss).
   */
  public final double runBackward(int n, boolean parameterGradients, boolean inputGradients, boolean fromLoss) {
    this.parameterGradients = parameterGradients;
    this.inputGradients = inputGradients;
    this.lossGradient = fromLoss;
    try {
      return backward(n);
    } finally {
      this.parameterGradients = true;
      this.inputGradients = false;
      this.lossGradient = true;
    }
  }

  /** A training step's backward pass: the loss and every parameter gradient. */
  public final double runBackward(int n) {
    return backward(n);
  }

  // ---------------------------------------------------------------- what generated code implements

  /** Fills {@link #params} from the declared initializers. */
  protected abstract void initialize(SplittableRandom random);

  /** Runs the layers on the first {@code n} rows of {@link #input}. */
  protected abstract void forward(int n, boolean training);

  /** The buffer holding the last forward pass's outputs, [n x outputSize]. */
  protected abstract float[] output();

  /**
   * The gradient with respect to the output: where {@link #backward} starts when {@link
   * #lossGradient} is false (the caller writes it), [n x outputSize].
   */
  protected abstract float[] outputGradient();

  /** The output buffer of layer {@code index} (execution order) after the last forward pass. */
  protected abstract float[] layerOutput(int index);

  /** The mean loss of the last forward pass against {@link #target}. */
  protected abstract double loss(int n);

  /**
   * The backward pass over the last forward pass (which must have run with {@code training} true):
   * from the loss against {@link #target} (or, with {@link #lossGradient} false, from {@link
   * #outputGradient()}), writes the gradient of every trainable parameter into {@link #grads} when
   * {@link #parameterGradients} is set and the gradients with respect to the inputs into {@link
   * #inputGradientBuffers} when {@link #inputGradients} is set.
   *
   * @return the mean loss with the regularizers' penalties (only the penalties without {@link #lossGradient})
   */
  protected abstract double backward(int n);
}
