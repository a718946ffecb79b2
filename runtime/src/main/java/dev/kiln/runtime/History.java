package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-epoch values of the loss and metrics from one {@link Model#fit} call, under Keras's names:
 * {@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, plus {@code seconds}
 * (wall time of the epoch's training steps).
 */
public final class History {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private int epochs;

  void record(Map<String, Double> epoch) {
    for (Map.Entry<String, Double> e : epoch.entrySet()) {
      values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    epochs++;
  }

  /** Number of epochs recorded. */
  public int epochs() {
    return epochs;
  }

  /** Names of the recorded values, in first-recorded order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** One value per epoch. */
  public double[] get(String name) {
    List<Double> list = values.get(name);
    if (list == null) {
      throw new IllegalArgumentException("no '" + name + "' in this history; it has " + values.keySet());
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  /** The last epoch's value. */
  public double last(String name) {
    double[] all = get(name);
    return all[all.length - 1];
  }

  @Override
  public String toString() {
    return "History" + values;
  }
}
