package dev.kiln.runtime.internal;

import java.util.Objects;

/**
 * How a generated model runs one time step at a time: a factory of its step programs ({@link
 * StepNetwork}, built on a parameter array they only read), or the reason the processor found that
 * the network cannot be stepped (a layer that mixes time steps, no recurrent layer).
 *
 * @param factory creates step programs; null when stepping is refused
 * @param refusal why the network cannot be stepped; null when it can
 */
public record StepSupport(CompiledNetwork.Factory factory, String refusal) {
  public StepSupport {
    if ((factory == null) == (refusal == null)) {
      throw new IllegalArgumentException("a step factory or a refusal, exactly one");
    }
  }

  public static StepSupport of(CompiledNetwork.Factory factory) {
    return new StepSupport(Objects.requireNonNull(factory, "factory"), null);
  }

  public static StepSupport refused(String refusal) {
    return new StepSupport(null, Objects.requireNonNull(refusal, "refusal"));
  }

  /** A new step program on {@code params}; refuses with the reason when the network cannot be stepped. */
  public StepNetwork create(String network, int maxBatch, float[] params) {
    if (factory == null) {
      throw new UnsupportedOperationException(network + " cannot run one time step at a time: " + refusal);
    }
    return (StepNetwork) factory.create(maxBatch, params);
  }
}
