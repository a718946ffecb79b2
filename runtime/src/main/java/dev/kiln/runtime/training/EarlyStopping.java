package dev.kiln.runtime.training;

import dev.kiln.runtime.History;

/**
 * Stops training once a monitored value has not improved for {@code patience} epochs, with Keras's
 * semantics: an epoch improves when it beats the best so far by more than {@code minDelta}; after
 * {@code patience} epochs in a row without improvement, training stops (never after the first
 * epoch). With {@link #withRestoreBestWeights}, the model ends with the parameters it had at the
 * end of the best epoch, bit for bit, whether or not training stopped early (Keras 3).
 *
 * <pre>{@code
 * EarlyStopping stop = EarlyStopping.monitoring("val_loss").withPatience(5).withRestoreBestWeights(true);
 * History h = model.fit(x, y, FitOptions.epochs(200).withValidation(xv, yv).withCallbacks(stop));
 * h.stoppedEpoch(); h.bestEpoch();
 * }</pre>
 *
 * <p>The {@code with...} methods return a new, fresh callback. An instance keeps state while
 * training and resets it at the start of every {@code fit}; do not share one between models
 * training at the same time.
 */
public final class EarlyStopping implements Callback {
  private final Monitor monitor;
  private final MonitorMode requestedMode;
  private final int patience;
  private final boolean restoreBestWeights;

  private double best;
  private int bestEpoch;
  private int wait;
  private int stoppedEpoch;
  private boolean stop;
  private boolean restored;
  private float[] bestWeights;

  private EarlyStopping(String monitor, MonitorMode mode, double minDelta, int patience, boolean restoreBestWeights) {
    this.monitor = new Monitor("EarlyStopping", monitor, mode, minDelta);
    if (patience < 0) {
      throw new IllegalArgumentException("EarlyStopping patience must be >= 0, was " + patience);
    }
    this.requestedMode = mode;
    this.patience = patience;
    this.restoreBestWeights = restoreBestWeights;
    reset();
  }

  /**
   * Watches {@code monitor} (a {@link History} name: {@code "val_loss"}, {@code "val_accuracy"},
   * {@code "loss"}, ...), with patience 0, minDelta 0, mode AUTO and no weight restoring, as
   * Keras's defaults.
   */
  public static EarlyStopping monitoring(String monitor) {
    return new EarlyStopping(monitor, MonitorMode.AUTO, 0, 0, false);
  }

  /** Epochs without improvement to wait before stopping, >= 0. */
  public EarlyStopping withPatience(int patience) {
    return new EarlyStopping(monitor.name, requestedMode, monitor.minDelta, patience, restoreBestWeights);
  }

  /** How much an epoch must beat the best by to count as an improvement, >= 0. */
  public EarlyStopping withMinDelta(double minDelta) {
    return new EarlyStopping(monitor.name, requestedMode, minDelta, patience, restoreBestWeights);
  }

  public EarlyStopping withMode(MonitorMode mode) {
    return new EarlyStopping(monitor.name, mode, monitor.minDelta, patience, restoreBestWeights);
  }

  /** At the end of training, put back the parameters from the end of the best epoch. */
  public EarlyStopping withRestoreBestWeights(boolean restore) {
    return new EarlyStopping(monitor.name, requestedMode, monitor.minDelta, patience, restore);
  }

  public String monitor() {
    return monitor.name;
  }

  /** {@link MonitorMode#MIN} or {@link MonitorMode#MAX}, AUTO resolved. */
  public MonitorMode mode() {
    return monitor.mode;
  }

  public int patience() {
    return patience;
  }

  public double minDelta() {
    return monitor.minDelta;
  }

  public boolean restoresBestWeights() {
    return restoreBestWeights;
  }

  /** The 1-based epoch with the best value in the last run; 0 before any epoch improved. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The best value in the last run (infinite before any epoch improved). */
  public double bestValue() {
    return best;
  }

  /** The 1-based epoch after which this callback stopped the last run; 0 when it did not. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** Whether the last run ended with the best epoch's parameters put back. */
  public boolean bestWeightsRestored() {
    return restored;
  }

  private void reset() {
    best = monitor.worst();
    bestEpoch = 0;
    wait = 0;
    stoppedEpoch = 0;
    stop = false;
    restored = false;
    bestWeights = null;
  }

  @Override
  public void checkRecordedNames(java.util.Set<String> names) {
    monitor.check(names, "EarlyStopping");
  }

  @Override
  public void onTrainBegin(TrainingContext model) {
    reset();
  }

  @Override
  public void onEpochEnd(int epoch, History history, TrainingContext model) {
    double current = monitor.read(history, "EarlyStopping");
    wait++;
    if (monitor.improves(current, best)) {
      best = current;
      bestEpoch = epoch;
      wait = 0;
      if (restoreBestWeights) {
        bestWeights = model.parameters();
      }
      return;
    }
    if (wait >= patience && epoch > 1) {
      stoppedEpoch = epoch;
      stop = true;
    }
  }

  @Override
  public void onTrainEnd(History history, TrainingContext model) {
    if (restoreBestWeights && bestWeights != null) {
      model.setParameters(bestWeights);
      restored = true;
    }
    bestWeights = null;
  }

  @Override
  public boolean stopTraining() {
    return stop;
  }

  @Override
  public String toString() {
    return "EarlyStopping(monitor=" + monitor.name + ", mode=" + monitor.mode + ", patience=" + patience
        + ", minDelta=" + monitor.minDelta + ", restoreBestWeights=" + restoreBestWeights + ")";
  }
}
