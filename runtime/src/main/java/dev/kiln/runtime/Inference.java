package dev.kiln.runtime;

import dev.kiln.runtime.internal.BatchData;
import dev.kiln.runtime.internal.CompiledNetwork;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.internal.StepNetwork;
import dev.kiln.runtime.internal.StepSupport;
import dev.kiln.runtime.kernels.IdlePool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Predictions from a snapshot of a model's weights, safe to call from any number of threads at
 * once, on platform or virtual threads. The weights are one read-only array shared by all calls;
 * each call borrows a program (the activation buffers, sized for the model's maximum batch;
 * inference programs have no gradient buffers) from a small lock-free pool and returns it. The pool
 * keeps at most {@link #poolBound()} idle programs (twice the processors): a call that finds none
 * idle creates one, and a program returned to a full pool is left to the garbage collector. So a
 * steady load of any number of threads, a virtual thread per request included, reuses programs
 * and allocates nothing per prediction. Results equal the model's own predictions for the same
 * weights, bit for bit.
 */
public final class Inference {
  private final NetworkInfo info;
  private final int inputSize;
  private final int outputSize;
  private final CompiledNetwork.Factory factory;
  private final float[] snapshot;
  private final int maxBatch;
  /** Idle programs; also where the parts of a large batch that other threads run get theirs. */
  private final CompiledNetwork.Programs programs;
  private final AtomicLong created = new AtomicLong();
  /** Whether inputs are checked for NaN and infinity, as the model's {@code setInputChecks} said. */
  private final boolean checkInputs;

  private final StepSupport stepping;
  /** Idle step programs, pooled as {@link #programs}. */
  private final IdlePool<StepNetwork> idleSteps;

  /** The Dense weights as bfloat16 for batch-1 products ({@link WeightFormat#BFLOAT16}), or null. */
  private final short[] bfloat16Weights;
  /** Whether the snapshot is all finite, checked once: its programs' batch-1 products may skip zero inputs. */
  private final boolean finiteSnapshot;

  Inference(NetworkInfo info, CompiledNetwork.Factory factory, StepSupport stepping, float[] snapshot,
      short[] bfloat16Weights, int maxBatch, boolean checkInputs) {
    this(info, factory, stepping, snapshot, bfloat16Weights, maxBatch, checkInputs,
        2 * Runtime.getRuntime().availableProcessors());
  }

  Inference(NetworkInfo info, CompiledNetwork.Factory factory, StepSupport stepping, float[] snapshot,
      short[] bfloat16Weights, int maxBatch, boolean checkInputs, int poolBound) {
    if (poolBound < 1) {
      throw new IllegalArgumentException("the pool must hold at least one program, was " + poolBound);
    }
    this.info = info;
    this.checkInputs = checkInputs;
    this.inputSize = info.inputs().size() == 1 ? info.inputSize() : -1; // -1: several inputs, not served here
    this.outputSize = info.outputSize();
    this.factory = factory;
    this.snapshot = snapshot;
    this.finiteSnapshot = CompiledNetwork.allFinite(snapshot);
    this.bfloat16Weights = bfloat16Weights;
    this.maxBatch = maxBatch;
    this.programs = new CompiledNetwork.Programs(poolBound, this::createProgram);
    this.stepping = stepping;
    this.idleSteps = new IdlePool<>(poolBound);
  }

  /** Most idle programs kept for reuse: twice the available processors. */
  public int poolBound() {
    return programs.size();
  }

  /**
   * Programs (buffer sets) created so far. Under a steady load it stops growing once every
   * concurrent call has one; it counts again only when more calls overlap than ever before or the
   * pool was full when a program came back.
   */
  public long programsCreated() {
    return created.get();
  }

  private CompiledNetwork createProgram() {
    created.incrementAndGet();
    return withWeightFormat(factory.create(maxBatch, snapshot));
  }

  private StepNetwork borrowStep() {
    StepNetwork program = idleSteps.take();
    return program != null ? program : withWeightFormat(stepping.create(info.name(), maxBatch, snapshot));
  }

  private <P extends CompiledNetwork> P withWeightFormat(P program) {
    program.useParameterSnapshot(finiteSnapshot); // nothing writes the snapshot
    if (bfloat16Weights != null) {
      program.useBfloat16Weights(bfloat16Weights);
    }
    return program;
  }

  /** How this snapshot stores its weights. */
  public WeightFormat weightFormat() {
    return bfloat16Weights != null ? WeightFormat.BFLOAT16 : WeightFormat.FLOAT32;
  }

  private void run(float[] x, int n, float[] out) {
    CompiledNetwork program = programs.borrow();
    try {
      program.predictRows(x, n, out, programs);
    } finally {
      programs.giveBack(program);
    }
  }

  /**
   * A zero state for {@code sequences} sequences (see {@link ModelCore#newState(int)}); states of
   * this snapshot and of its model are interchangeable.
   */
  public RecurrentState newState(int sequences) {
    StepNetwork program = borrowStep();
    try {
      return Steps.newState(info, program, sequences);
    } finally {
      idleSteps.giveBack(program);
    }
  }

  /** A zero state for one sequence. */
  public RecurrentState newState() {
    return newState(1);
  }

  /**
   * One time step of the sequences {@code state} carries, as {@link ModelCore#step}, on this
   * snapshot's weights. Any number of threads may step at once, each with states of its own (a
   * state is never shared between threads stepping it concurrently): each call borrows a step
   * program from a pool as {@link #predict(float[], float[])} does, so a steady load allocates
   * nothing.
   */
  public void step(RecurrentState state, float[] input, float[] output) {
    StepNetwork program = borrowStep();
    try {
      Steps.step(info, program, state, input, output, checkInputs);
    } finally {
      idleSteps.giveBack(program);
    }
  }

  public NetworkInfo info() {
    return info;
  }

  /** The prediction for one sample into {@code out} (length outputSize). */
  public void predict(float[] x, float[] out) {
    requireOneInput();
    if (x == null || x.length != inputSize) {
      throw new IllegalArgumentException(
          "input has " + (x == null ? "no" : x.length) + " values, the network takes " + inputSize);
    }
    if (out == null || out.length != outputSize) {
      throw new IllegalArgumentException(
          "output array has " + (out == null ? "no" : out.length) + " values, the network produces " + outputSize);
    }
    checkFinite(x);
    run(x, 1, out);
  }

  /** The prediction for one sample (allocates the result). */
  public float[] predict(float[] x) {
    float[] out = new float[outputSize];
    predict(x, out);
    return out;
  }

  /** Predicts {@code n} samples stored row-major in {@code x} into {@code out}, in batches of at most the maximum. */
  public void predict(float[] x, int n, float[] out) {
    requireOneInput();
    if (x == null || n < 0 || (long) n * inputSize != x.length) {
      throw new IllegalArgumentException("input array must hold " + n + " x " + inputSize + " values");
    }
    if (out == null || (long) n * outputSize != out.length) {
      throw new IllegalArgumentException("output array must hold " + n + " x " + outputSize + " values");
    }
    checkFinite(x);
    run(x, n, out);
  }

  /** Values per input sample (single-input networks). */
  public int inputSize() {
    requireOneInput();
    return inputSize;
  }

  /** Values per output sample. */
  public int outputSize() {
    return outputSize;
  }

  private void checkFinite(float[] x) {
    if (checkInputs) {
      BatchData.checkFinite(x, 0, x.length, "input", -1);
    }
  }

  private void requireOneInput() {
    if (inputSize < 0) {
      throw new UnsupportedOperationException(info.name() + " has " + info.inputs().size()
          + " inputs; serving predicts single-input networks (use the model's predict(List) instead)");
    }
  }
}
