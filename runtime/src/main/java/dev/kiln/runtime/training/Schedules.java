package dev.kiln.runtime.training;

/**
 * The schedules behind {@link LearningRateSchedule}'s factories. Records, so that a schedule
 * prints its parameters; each checks them once at construction, so a wrong value fails where it is
 * written rather than in the middle of training.
 */
final class Schedules {
  private Schedules() {}

  record Constant(float rate) implements LearningRateSchedule {
    Constant {
      checkRate("constant", "rate", rate);
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      return rate;
    }
  }

  record LinearDecay(float eta0, float etaTau, int tau) implements LearningRateSchedule {
    LinearDecay {
      checkRate("linearDecay", "eta0", eta0);
      checkRate("linearDecay", "etaTau", etaTau);
      checkSteps("linearDecay", "tau", tau);
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      if (step >= tau) {
        return etaTau;
      }
      double a = step / (double) tau;
      return (float) ((1 - a) * eta0 + a * etaTau);
    }
  }

  record StepDecay(float eta0, double factor, int stepSize) implements LearningRateSchedule {
    StepDecay {
      checkRate("stepDecay", "eta0", eta0);
      checkFactor("stepDecay", "factor", factor);
      checkSteps("stepDecay", "stepSize", stepSize);
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      return (float) (eta0 * Math.pow(factor, step / stepSize));
    }
  }

  record ExponentialDecay(float eta0, double rate, int decaySteps, boolean staircase)
      implements LearningRateSchedule {
    ExponentialDecay {
      checkRate("exponentialDecay", "eta0", eta0);
      checkFactor("exponentialDecay", "rate", rate);
      checkSteps("exponentialDecay", "decaySteps", decaySteps);
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      double exponent = staircase ? (double) (step / decaySteps) : step / (double) decaySteps;
      return (float) (eta0 * Math.pow(rate, exponent));
    }
  }

  record CosineDecay(float eta0, int steps, float etaMin) implements LearningRateSchedule {
    CosineDecay {
      checkRate("cosineDecay", "eta0", eta0);
      checkSteps("cosineDecay", "steps", steps);
      checkRate("cosineDecay", "etaMin", etaMin);
      if (etaMin > eta0) {
        throw new IllegalArgumentException(
            "cosineDecay etaMin must be <= eta0 (" + eta0 + "), was " + etaMin);
      }
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      if (step >= steps) {
        return etaMin;
      }
      return (float) (etaMin + (eta0 - (double) etaMin) * (1 + Math.cos(Math.PI * step / steps)) / 2);
    }
  }

  record WarmUp(int warmUpSteps, LearningRateSchedule then) implements LearningRateSchedule {
    WarmUp {
      checkSteps("warm-up", "warmUpSteps", warmUpSteps);
      if (then == null) {
        throw new IllegalArgumentException("warm-up needs a schedule to warm up to, got null");
      }
    }

    @Override
    public float learningRate(int step) {
      checkStep(step);
      if (step >= warmUpSteps) {
        return then.learningRate(step - warmUpSteps);
      }
      return (float) ((double) then.learningRate(0) * (step + 1) / warmUpSteps);
    }
  }

  static void checkStep(int step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, was " + step);
    }
  }

  private static void checkRate(String schedule, String name, float value) {
    if (!(value >= 0) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(
          schedule + " " + name + " must be a finite learning rate >= 0, was " + value);
    }
  }

  private static void checkFactor(String schedule, String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(schedule + " " + name + " must be finite and > 0, was " + value);
    }
  }

  private static void checkSteps(String schedule, String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(schedule + " " + name + " must be >= 1, was " + value);
    }
  }
}
