package dev.kiln.runtime.internal;

import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.training.GradientClipping;
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
  private int trainableRangeCount;

  public ParameterLayout(CompiledNetwork net) {
    this.net = net;
    this.info = net.info();
    this.trainableCount = info.trainableParameterCount();
    int tensors = 0;
    for (LayerInfo layer : info.layers()) {
      tensors += layer.tensors().size();
    }
    this.trainableRanges = new int[2 * Math.max(1, tensors)];
    updateTrainableRanges();
  }

  /** Freezes or unfreezes a layer (by name, checked by the caller). */
  public void setTrainable(String layer, boolean trainable) {
    if (trainable) {
      frozenLayers.remove(layer);
    } else {
      frozenLayers.add(layer);
    }
    updateTrainableRanges();
  }

  public boolean isTrainable(String layer) {
    return !frozenLayers.contains(layer);
  }

  public Set<String> frozenLayers() {
    return Collections.unmodifiableSet(frozenLayers);
  }

  /** The tensors gradient clipping sees, adjacent ones merged: one definition of "updated". */
  private void updateTrainableRanges() {
    int[] offsets = GradientClipping.tensorOffsets(info, frozenLayers);
    int[] sizes = GradientClipping.tensorSizes(info, frozenLayers);
    int count = 0;
    for (int t = 0; t < offsets.length; t++) {
      int from = offsets[t];
      int to = from + sizes[t];
      if (count > 0 && trainableRanges[2 * count - 1] == from) {
        trainableRanges[2 * count - 1] = to; // adjacent: extend the previous range
      } else {
        trainableRanges[2 * count] = from;
        trainableRanges[2 * count + 1] = to;
        count++;
      }
    }
    trainableRangeCount = count;
  }

  /** One optimizer step over the trainable parameters of the unfrozen layers. */
  public void step(Optimizer optimizer) {
    if (frozenLayers.isEmpty()) {
      optimizer.step(net.params, net.grads, 0, trainableCount);
    } else {
      optimizer.step(net.params, net.grads, trainableRanges, trainableRangeCount);
    }
  }

  /**
   * As {@link #step}, but taken only when every parameter and optimizer-state value it writes is
   * finite; otherwise nothing changes (see {@link Optimizer#stepIfFinite}).
   *
   * @return whether the step was taken
   */
  public boolean stepIfFinite(Optimizer optimizer) {
    if (frozenLayers.isEmpty()) {
      return optimizer.stepIfFinite(net.params, net.grads, 0, trainableCount);
    }
    return optimizer.stepIfFinite(net.params, net.grads, trainableRanges, trainableRangeCount);
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
    for (float v : net.params) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
