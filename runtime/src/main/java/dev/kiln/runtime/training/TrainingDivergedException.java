package dev.kiln.runtime.training;

import dev.kiln.runtime.History;

/**
 * Thrown by {@code fit} when a training batch's loss is NaN or infinite (Keras's {@code
 * TerminateOnNaN}, on by default; {@link dev.kiln.runtime.FitOptions#withTerminateOnNaN} turns it
 * off). The loss is computed before the optimizer step, and that step is not taken: the model keeps
 * the parameters that produced the bad loss, the last ones every earlier step left finite.
 * Callbacks' {@code onTrainEnd} does not run, so EarlyStopping does not restore weights either.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;
  private final double loss;
  private final transient History history;

  /**
   * @param epoch 1-based epoch of the bad batch
   * @param batch 1-based batch within the epoch
   * @param loss the non-finite loss
   * @param history the completed epochs
   * @param parametersFinite whether every parameter is finite (it says so in the message)
   */
  public TrainingDivergedException(int epoch, int batch, double loss, History history, boolean parametersFinite) {
    super("training diverged: the loss of epoch " + epoch + ", batch " + batch + " is " + loss
        + "; training stopped before that batch's optimizer step, "
        + (parametersFinite
            ? "so the weights were left at the last finite state"
            : "but an earlier step had already made some weights non-finite")
        + ". Try a lower learning rate or gradient clipping (FitOptions.withGradientClipping)");
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
    this.history = history;
  }

  /** The 1-based epoch of the batch whose loss was not finite. */
  public int epoch() {
    return epoch;
  }

  /** The 1-based batch, within its epoch, whose loss was not finite. */
  public int batch() {
    return batch;
  }

  /** The loss: NaN or infinite. */
  public double loss() {
    return loss;
  }

  /** The history of the epochs completed before the bad batch. */
  public History history() {
    return history;
  }
}
