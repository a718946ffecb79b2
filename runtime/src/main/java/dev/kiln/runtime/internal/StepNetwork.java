package dev.kiln.runtime.internal;

/**
 * A generated network's step program: the declared layers planned for a sequence of one time step,
 * whose recurrent layers start from carried states and write their new states back (what {@code
 * ModelCore.step} runs). It reads its model's parameter array (shared, never written) and runs
 * forward only, in inference mode, so it has no gradients, no loss and no initializer: those
 * methods refuse.
 */
public abstract class StepNetwork extends CompiledNetwork {
  private final int[] stateWidths;
  private final int[] inputWidths;
  private final int outputWidth;
  /**
   * The carried states during {@link #runStep}: one [n x width] array per entry of {@link
   * #stateWidths()}, in layer order (an LSTM's hidden state, then its cell state).
   */
  protected float[][] carried;

  /**
   * @param inputWidths values per sample of each input at one time step
   * @param outputWidth values per sample of the output at one time step
   * @param stateWidths values per sample of each carried state
   * @param params the model's parameter array, read only
   */
  protected StepNetwork(NetworkInfo info, int[] inputWidths, int outputWidth, int[] stateWidths, int maxBatch,
      float[] params) {
    super(info, inputWidths, outputWidth, maxBatch, java.util.Objects.requireNonNull(params, "params"));
    this.stateWidths = stateWidths.clone();
    this.inputWidths = inputWidths.clone();
    this.outputWidth = outputWidth;
  }

  /** Values per sample of input {@code i} at one time step. */
  public final int stepInputWidth(int i) {
    return inputWidths[i];
  }

  /** Values per sample of the output at one time step. */
  public final int stepOutputWidth() {
    return outputWidth;
  }

  /** Values per sample of each carried state, in the order {@link #runStep} takes them. */
  public final int[] stateWidths() {
    return stateWidths.clone();
  }

  /**
   * One time step for {@code n} sequences: reads the step's inputs from the input buffers and the
   * states from {@code states} (one [n x width] array per carried state), leaves the step's
   * outputs in the output buffer and the new states in {@code states}.
   */
  public final void runStep(int n, float[][] states) {
    carried = states;
    try {
      forward(n, false);
    } finally {
      carried = null;
    }
  }

  @Override
  protected final void initialize(java.util.SplittableRandom random) {
    throw new UnsupportedOperationException("a step program reads its model's parameters; it never initializes them");
  }

  @Override
  protected final float[] outputGradient() {
    throw new UnsupportedOperationException("a step program runs forward only");
  }

  @Override
  protected final double loss(int n) {
    throw new UnsupportedOperationException("a step program runs forward only");
  }

  @Override
  protected final double backward(int n) {
    throw new UnsupportedOperationException("a step program runs forward only");
  }
}
