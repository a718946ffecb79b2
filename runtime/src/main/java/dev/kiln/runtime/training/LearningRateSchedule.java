package dev.kiln.runtime.training;

/**
 * The learning rate as a function of the step: {@code fit} asks it before every optimizer step or
 * at the start of every epoch (see {@link Unit}) and hands the result to {@link
 * dev.kiln.runtime.optim.Optimizer#setLearningRate}. Steps are 0-based and counted from the start
 * of each {@code fit} call.
 *
 * <pre>{@code
 * FitOptions.epochs(50).withSchedule(
 *     LearningRateSchedule.cosineDecay(0.01f, 5000, 0f).withWarmUp(500), LearningRateSchedule.Unit.STEP);
 * }</pre>
 *
 * <p>Implementations must not allocate: {@code fit} calls them on its allocation-free path. The
 * factories here compute in double and round once to float.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  /** What a schedule's step counts. */
  enum Unit {
    /** One optimizer step (one batch). */
    STEP,
    /** One epoch; the rate holds for the whole epoch. */
    EPOCH
  }

  /**
   * The rate for 0-based {@code step}; must be finite and >= 0 ({@code fit} fails clearly
   * otherwise).
   */
  float learningRate(int step);

  /** The same rate at every step. */
  static LearningRateSchedule constant(float rate) {
    return new Schedules.Constant(rate);
  }

  /**
   * The seed's linear decay: {@code eta_k = (1 - a) eta0 + a etaTau} with {@code a = k / tau} for
   * {@code k < tau}, then {@code etaTau}.
   */
  static LearningRateSchedule linearDecay(float eta0, float etaTau, int tau) {
    return new Schedules.LinearDecay(eta0, etaTau, tau);
  }

  /** Step decay: {@code eta0 * factor^floor(k / stepSize)}. */
  static LearningRateSchedule stepDecay(float eta0, double factor, int stepSize) {
    return new Schedules.StepDecay(eta0, factor, stepSize);
  }

  /** Exponential decay: {@code eta0 * rate^(k / decaySteps)}, as Keras's {@code ExponentialDecay}. */
  static LearningRateSchedule exponentialDecay(float eta0, double rate, int decaySteps) {
    return new Schedules.ExponentialDecay(eta0, rate, decaySteps, false);
  }

  /**
   * Exponential decay; with {@code staircase} the exponent is {@code floor(k / decaySteps)}, so the
   * rate drops in steps.
   */
  static LearningRateSchedule exponentialDecay(float eta0, double rate, int decaySteps, boolean staircase) {
    return new Schedules.ExponentialDecay(eta0, rate, decaySteps, staircase);
  }

  /**
   * Cosine annealing: {@code etaMin + (eta0 - etaMin) (1 + cos(pi k / steps)) / 2} for {@code k <
   * steps}, then {@code etaMin}.
   */
  static LearningRateSchedule cosineDecay(float eta0, int steps, float etaMin) {
    return new Schedules.CosineDecay(eta0, steps, etaMin);
  }

  /**
   * This schedule behind a linear warm-up of {@code warmUpSteps} steps: step {@code k <
   * warmUpSteps} gets {@code learningRate(0) * (k + 1) / warmUpSteps}, so the last warm-up step
   * reaches this schedule's first rate; step {@code k >= warmUpSteps} gets {@code learningRate(k -
   * warmUpSteps)}.
   */
  default LearningRateSchedule withWarmUp(int warmUpSteps) {
    return new Schedules.WarmUp(warmUpSteps, this);
  }
}
