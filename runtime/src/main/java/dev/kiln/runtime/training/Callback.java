package dev.kiln.runtime.training;

import dev.kiln.runtime.History;


/**
 * Hooks into {@code fit}, as Keras's callbacks: given to {@link
 * dev.kiln.runtime.FitOptions#withCallbacks}, called in the order given. Epochs and batches are
 * 1-based, as the progress lines count them. A callback asks {@code fit} to stop by returning true
 * from {@link #stopTraining()} (Keras's {@code model.stop_training = True}); {@code fit} asks after
 * every batch and every epoch, finishes the current epoch (metrics, validation, {@link
 * #onEpochEnd}) and then stops.
 *
 * <p>{@link #onBatchEnd} runs on the training step's allocation-free path: keep it free of
 * allocation too if that matters to you.
 */
public interface Callback {
  /**
   * Before anything else of every {@code fit} call, with the names the history will record (e.g.
   * {@code loss}, {@code accuracy}, {@code val_loss}): throw {@link IllegalArgumentException} to
   * refuse to start, so a mistake shows before epoch 1 rather than after it. EarlyStopping and
   * ModelCheckpoint check their monitored name here.
   */
  default void checkRecordedNames(java.util.Set<String> names) {}

  /** Before the first epoch of every {@code fit} call: reset per-run state here. */
  default void onTrainBegin(TrainingContext model) {}

  /** After the optimizer step of batch {@code batch} of epoch {@code epoch}. */
  default void onBatchEnd(int epoch, int batch, double loss) {}

  /**
   * After epoch {@code epoch} is recorded in {@code history} (its values are {@code
   * history.last(name)}) and its progress line printed.
   */
  default void onEpochEnd(int epoch, History history, TrainingContext model) {}

  /**
   * After the last epoch, whether training ran all epochs or was stopped. Not called when training
   * fails with an exception, such as {@link TrainingDivergedException}.
   */
  default void onTrainEnd(History history, TrainingContext model) {}

  /** True to stop training after the current epoch. */
  default boolean stopTraining() {
    return false;
  }
}
