package dev.kiln.runtime.training;

import dev.kiln.runtime.History;

/**
 * Thrown by {@code fit} and {@code trainOnBatch} when training diverges (Keras's {@code
 * TerminateOnNaN}, on by default in {@code fit}; {@link
 * dev.kiln.runtime.FitOptions#withTerminateOnNaN} turns it off there): either a training batch's
 * loss is NaN or infinite, or its loss is finite but the optimizer step would make a parameter or
 * a value of the optimizer's state (momentum, Adam's moments) NaN or infinite ({@link
 * #stepRejected()}). Either way that step is not taken: the parameters, the optimizer state and its
 * iteration count are exactly those the last successful step left (batch normalization's moving
 * statistics, which the forward pass updates, are the one exception: they include the failing
 * batch). Callbacks' {@code onTrainEnd} does not run, so EarlyStopping does not restore weights
 * either.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;
  private final double loss;
  private final transient History history;
  private final boolean stepRejected;

  /**
   * @param epoch 1-based epoch of the bad batch
   * @param batch 1-based batch within the epoch
   * @param loss the non-finite loss
   * @param history the completed epochs
   * @param parametersFinite whether every parameter is finite (it says so in the message)
   */
  public TrainingDivergedException(int epoch, int batch, double loss, History history, boolean parametersFinite) {
    this("training diverged: the loss of epoch " + epoch + ", batch " + batch + " is " + loss
        + "; training stopped before that batch's optimizer step, "
        + (parametersFinite
            ? "so the weights were left at the last finite state"
            : "but some weights were already non-finite (set so, or trained with withTerminateOnNaN(false))")
        + ". " + FIT_HINT, epoch, batch, loss, history, false);
  }

  private static final String FIT_HINT = "Try a lower learning rate or gradient clipping (FitOptions.withGradientClipping)";

  private TrainingDivergedException(String message, int epoch, int batch, double loss, History history,
      boolean stepRejected) {
    super(message);
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
    this.history = history;
    this.stepRejected = stepRejected;
  }

  /**
   * {@code fit}'s batch had a finite loss, but its optimizer step would have made a parameter or
   * the optimizer's state non-finite, and was not taken.
   */
  public static TrainingDivergedException stepNotFinite(int epoch, int batch, double loss, History history) {
    return new TrainingDivergedException("training diverged: the optimizer step of epoch " + epoch + ", batch "
        + batch + " (loss " + loss + ") would have made some weights or optimizer state non-finite; the step was"
        + " not taken, so the weights and optimizer state are those before it. " + FIT_HINT,
        epoch, batch, loss, history, true);
  }

  /**
   * {@code trainOnBatch}'s batch had a non-finite loss ({@code stepRejected} false) or a step that
   * would have made a parameter or the optimizer's state non-finite ({@code stepRejected} true);
   * the step was not taken. Epoch and batch are 0 and the history is empty: no {@code fit} ran.
   */
  public static TrainingDivergedException batchDiverged(double loss, boolean stepRejected) {
    return new TrainingDivergedException("training diverged: "
        + (stepRejected
            ? "the optimizer step on this batch (loss " + loss + ") would have made some weights or optimizer"
                + " state non-finite; the step was not taken, so the weights and optimizer state are those before it"
            : "the batch's loss is " + loss + "; the optimizer step was not taken, so the weights and optimizer"
                + " state were left as they were")
        + ". Try a lower learning rate", 0, 0, loss, new History(), stepRejected);
  }

  /** The 1-based epoch of the batch that diverged (0 for {@code trainOnBatch}). */
  public int epoch() {
    return epoch;
  }

  /** The 1-based batch, within its epoch, that diverged (0 for {@code trainOnBatch}). */
  public int batch() {
    return batch;
  }

  /**
   * Whether the loss was finite and the optimizer step was refused because it would have made a
   * parameter or the optimizer's state non-finite; false when the loss itself was not finite.
   */
  public boolean stepRejected() {
    return stepRejected;
  }

  /** The batch's loss: NaN or infinite, or finite when {@link #stepRejected()}. */
  public double loss() {
    return loss;
  }

  /** The history of the epochs completed before the bad batch. */
  public History history() {
    return history;
  }
}
