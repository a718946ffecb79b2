package dev.kiln.runtime.internal;

import dev.kiln.runtime.optim.Optimizer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where the parameters live and which of them training updates: trainable tensors first in the
 * flat array, then the non-trainable ones; layers frozen at run time are skipped by the optimizer
 * (one iteration per step still, so Adam's bias correction stays right).
 */
public final class ParameterLayout {
  private final NetworkInfo info;
  private final CompiledNetwork net;
  private final int trainableCount;
  private final Set<String> frozenLayers = new LinkedHashSet<>();
  /** From/to pairs of the parameters the optimizer updates: trainable tensors of unfrozen layers. */
  private final int[] trainableRanges;
  /** The learning-rate multiplier of each range in {@link #trainableRanges}. */
  private final float[] rangeScales;
  private int trainableRangeCount;
  /** Per-layer learning-rate multipliers (1 unless set), by layer name. */
  private final java.util.Map<String, Float> rateMultipliers = new java.util.HashMap<>();
  /** Whether every range runs at the base rate and none is frozen: one range, the fast path. */
  private boolean plain = true;

  public ParameterLayout(CompiledNetwork net) {
    this.net = net;
    this.info = net.info();
    this.trainableCount = info.trainableParameterCount();
    int tensors = 0;
    for (LayerInfo layer : info.layers()) {
      tensors += layer.tensors().size();
    }
    this.trainableRanges = new int[2 * Math.max(1, tensors)];
    this.rangeScales = new float[Math.max(1, tensors)];
    updateTrainableRanges();
  }

  /** Freezes or unfreezes a layer (by name, checked by the caller). */
  public void setTrainable(String layer, boolean trainable) {
    if (trainable) {
      frozenLayers.remove(layer);
    } else {
      frozenLayers.add(layer);
    }
    int index = layerIndex(layer);
    if (index >= 0) {
      net.frozen[index] = !trainable; // the generated forward reads it (frozen batch norm: inference mode)
    }
    updateTrainableRanges();
  }

  private int layerIndex(String layer) {
    for (int i = 0; i < info.layers().size(); i++) {
      if (info.layers().get(i).name().equals(layer)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Sets a layer's learning-rate multiplier: its parameters update at {@code multiplier} times the
   * optimizer's rate (differential learning rates for fine-tuning).
   */
  public void setLearningRateMultiplier(String layer, float multiplier) {
    if (!(multiplier >= 0) || Float.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "learning-rate multiplier of layer '" + layer + "' must be finite and >= 0, was " + multiplier);
    }
    if (multiplier == 1f) {
      rateMultipliers.remove(layer);
    } else {
      rateMultipliers.put(layer, multiplier);
    }
    updateTrainableRanges();
  }

  public float learningRateMultiplier(String layer) {
    return rateMultipliers.getOrDefault(layer, 1f);
  }

  public boolean isTrainable(String layer) {
    return !frozenLayers.contains(layer);
  }

  public Set<String> frozenLayers() {
    return Collections.unmodifiableSet(frozenLayers);
  }

  /**
   * The tensors gradient clipping sees (trainable tensors of unfrozen layers: one definition of
   * "updated"), adjacent ones with the same learning-rate multiplier merged.
   */
  private void updateTrainableRanges() {
    int count = 0;
    for (LayerInfo layer : info.layers()) {
      if (frozenLayers.contains(layer.name())) {
        continue;
      }
      float scale = learningRateMultiplier(layer.name());
      for (TensorSlice slice : layer.tensors()) {
        if (!slice.trainable()) {
          continue;
        }
        int from = slice.offset();
        int to = from + slice.size();
        if (count > 0 && trainableRanges[2 * count - 1] == from && rangeScales[count - 1] == scale) {
          trainableRanges[2 * count - 1] = to; // adjacent at the same rate: extend the previous range
        } else {
          trainableRanges[2 * count] = from;
          trainableRanges[2 * count + 1] = to;
          rangeScales[count] = scale;
          count++;
        }
      }
    }
    trainableRangeCount = count;
    plain = frozenLayers.isEmpty() && rateMultipliers.isEmpty();
  }

  /**
   * One optimizer step over the trainable parameters of the unfrozen layers, each range at its
   * layer's learning-rate multiplier.
   */
  public void step(Optimizer optimizer) {
    net.parametersChanged();
    if (plain) {
      optimizer.step(net.params, net.grads, 0, trainableCount);
    } else if (rateMultipliers.isEmpty()) {
      optimizer.step(net.params, net.grads, trainableRanges, trainableRangeCount);
    } else {
      optimizer.step(net.params, net.grads, trainableRanges, rangeScales, trainableRangeCount);
    }
  }

  /**
   * As {@link #step}, but taken only when every parameter and optimizer-state value it writes is
   * finite; otherwise nothing changes (see {@link Optimizer#stepIfFinite}).
   *
   * @return whether the step was taken
   */
  public boolean stepIfFinite(Optimizer optimizer) {
    net.parametersChanged();
    if (plain) {
      return optimizer.stepIfFinite(net.params, net.grads, 0, trainableCount);
    } else if (rateMultipliers.isEmpty()) {
      return optimizer.stepIfFinite(net.params, net.grads, trainableRanges, trainableRangeCount);
    }
    return optimizer.stepIfFinite(net.params, net.grads, trainableRanges, rangeScales, trainableRangeCount);
  }

  /** After a write of the parameters from outside this class (a layer's weights). */
  void parametersChanged() {
    net.parametersChanged();
  }

  /** A copy of all parameters. */
  public float[] parameters() {
    return net.params.clone();
  }

  /**
   * Replaces all parameters; the length must be the parameter count. NaN and infinite values are
   * rejected (naming the first one's tensor and position) unless {@code allowNonFinite}; a rejected
   * call changes nothing.
   */
  public void setParameters(float[] values, boolean allowNonFinite) {
    java.util.Objects.requireNonNull(values, "values");
    if (values.length != net.params.length) {
      throw new IllegalArgumentException("expected " + net.params.length + " parameters, got " + values.length);
    }
    if (!allowNonFinite) {
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          throw new IllegalArgumentException("parameter " + i + " (in " + tensorOf(i) + ") is " + values[i]
              + "; parameters must be finite (setParameters(values, true) accepts NaN and infinity)");
        }
      }
    }
    System.arraycopy(values, 0, net.params, 0, values.length);
    net.parametersChanged();
  }

  /** The tensor flat index {@code index} belongs to, e.g. {@code hidden.weight}. */
  private String tensorOf(int index) {
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice t : layer.tensors()) {
        if (index >= t.offset() && index < t.offset() + t.size()) {
          return t.name();
        }
      }
    }
    return "no tensor";
  }

  /** A copy of the gradients of the last backward pass. */
  public float[] gradients() {
    return net.grads.clone();
  }

  /** Whether every parameter is finite. */
  public boolean allFinite() {
    return CompiledNetwork.allFinite(net.params);
  }
}
