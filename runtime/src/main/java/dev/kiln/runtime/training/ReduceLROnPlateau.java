package dev.kiln.runtime.training;

import dev.kiln.runtime.History;

/**
 * Multiplies the learning rate by {@code factor} once a monitored value has stopped improving for
 * {@code patience} epochs, with Keras's {@code ReduceLROnPlateau} semantics and defaults: factor
 * 0.1, patience 10, minDelta 1e-4, cooldown 0, minimum rate 0, mode AUTO. After every epoch: during
 * a cooldown the counter runs down and the wait is reset; an epoch that beats the best by more than
 * minDelta becomes the best and resets the wait; otherwise, outside a cooldown, the wait grows, and
 * when it reaches {@code patience} the rate becomes {@code max(rate * factor, minLearningRate)}
 * (only while the rate is above the minimum), the cooldown starts and the wait is reset. A NaN
 * never improves. The new rate applies from the next epoch's first step.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.epochs(100).withValidation(xv, yv)
 *     .withCallbacks(ReduceLROnPlateau.monitoring("val_loss").withFactor(0.5).withPatience(3)));
 * }</pre>
 *
 * <p>A learning-rate schedule given to {@code FitOptions} sets the rate itself and overrides this
 * callback's changes. The {@code with...} methods return a new callback; state resets at the start
 * of every {@code fit}.
 */
public final class ReduceLROnPlateau implements Callback {
  private final Monitor monitor;
  private final MonitorMode requestedMode;
  private final double factor;
  private final int patience;
  private final int cooldown;
  private final double minLearningRate;

  private double best;
  private int wait;
  private int cooldownCounter;

  private ReduceLROnPlateau(String monitor, MonitorMode mode, double factor, int patience, double minDelta,
      int cooldown, double minLearningRate) {
    this.monitor = new Monitor("ReduceLROnPlateau", monitor, mode, minDelta);
    if (!(factor >= 0 && factor < 1)) {
      throw new IllegalArgumentException("ReduceLROnPlateau factor must be in [0, 1), was " + factor);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("ReduceLROnPlateau patience must be >= 0, was " + patience);
    }
    if (cooldown < 0) {
      throw new IllegalArgumentException("ReduceLROnPlateau cooldown must be >= 0, was " + cooldown);
    }
    if (!(minLearningRate >= 0) || Double.isInfinite(minLearningRate)) {
      throw new IllegalArgumentException(
          "ReduceLROnPlateau minLearningRate must be finite and >= 0, was " + minLearningRate);
    }
    this.requestedMode = mode;
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.minLearningRate = minLearningRate;
    reset();
  }

  /** Watches {@code monitor} (a {@link History} name such as {@code "val_loss"}) with Keras's defaults. */
  public static ReduceLROnPlateau monitoring(String monitor) {
    return new ReduceLROnPlateau(monitor, MonitorMode.AUTO, 0.1, 10, 1e-4, 0, 0);
  }

  /** The multiplier applied to the rate on a plateau, in [0, 1). */
  public ReduceLROnPlateau withFactor(double factor) {
    return new ReduceLROnPlateau(monitor.name, requestedMode, factor, patience, monitor.minDelta, cooldown,
        minLearningRate);
  }

  /** Epochs without improvement before the rate is reduced, >= 0. */
  public ReduceLROnPlateau withPatience(int patience) {
    return new ReduceLROnPlateau(monitor.name, requestedMode, factor, patience, monitor.minDelta, cooldown,
        minLearningRate);
  }

  /** How much an epoch must beat the best by to count as an improvement, >= 0. */
  public ReduceLROnPlateau withMinDelta(double minDelta) {
    return new ReduceLROnPlateau(monitor.name, requestedMode, factor, patience, minDelta, cooldown, minLearningRate);
  }

  /** Epochs after a reduction during which no further reduction is counted toward. */
  public ReduceLROnPlateau withCooldown(int cooldown) {
    return new ReduceLROnPlateau(monitor.name, requestedMode, factor, patience, monitor.minDelta, cooldown,
        minLearningRate);
  }

  /** The rate is never reduced below this. */
  public ReduceLROnPlateau withMinLearningRate(double minLearningRate) {
    return new ReduceLROnPlateau(monitor.name, requestedMode, factor, patience, monitor.minDelta, cooldown,
        minLearningRate);
  }

  /** Whether the value improves by falling or rising; AUTO by the name, as Keras. */
  public ReduceLROnPlateau withMode(MonitorMode mode) {
    return new ReduceLROnPlateau(monitor.name, mode, factor, patience, monitor.minDelta, cooldown, minLearningRate);
  }

  public String monitor() {
    return monitor.name;
  }

  private void reset() {
    best = monitor.worst();
    wait = 0;
    cooldownCounter = 0;
  }

  @Override
  public void onTrainBegin(TrainingContext model) {
    reset();
  }

  @Override
  public void onEpochEnd(int epoch, History history, TrainingContext model) {
    double current = monitor.read(history, "ReduceLROnPlateau");
    if (cooldownCounter > 0) {
      cooldownCounter--;
      wait = 0;
    }
    if (monitor.improves(current, best)) {
      best = current;
      wait = 0;
    } else if (cooldownCounter == 0) {
      wait++;
      if (wait >= patience) {
        float rate = model.learningRate();
        if (rate > (float) minLearningRate) {
          model.setLearningRate((float) Math.max(rate * factor, minLearningRate));
          cooldownCounter = cooldown;
          wait = 0;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ReduceLROnPlateau(monitor=" + monitor.name + ", factor=" + factor + ", patience=" + patience
        + ", minDelta=" + monitor.minDelta + ", cooldown=" + cooldown + ", minLearningRate=" + minLearningRate + ")";
  }
}
