package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-epoch values of the loss and metrics from one {@link Model#fit} call, under Keras's names:
 * {@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, {@code lr} (with a
 * learning-rate schedule: the rate of the epoch's last step), plus {@code seconds} (wall time of
 * the epoch's training steps). Also how training ended: {@link #stoppedEpoch()} when a callback
 * stopped it early, {@link #bestEpoch()} when an {@link dev.kiln.runtime.training.EarlyStopping}
 * watched it. Epochs are 1-based; the value arrays are indexed from 0 ({@code get(name)[epoch -
 * 1]}).
 */
public final class History {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private int epochs;
  private int stoppedEpoch;
  private int bestEpoch;
  private boolean bestWeightsRestored;

  void record(Map<String, Double> epoch) {
    for (Map.Entry<String, Double> e : epoch.entrySet()) {
      values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    epochs++;
  }

  /**
   * Records one epoch of a custom training loop (a GAN's, say): any names and values, charted and
   * tabled by {@link dev.kiln.runtime.report.TrainingReport} like fit's. Every epoch must record the
   * same names, so that each name has one value per epoch.
   *
   * @throws IllegalArgumentException when the names differ from the earlier epochs'
   */
  public void recordEpoch(Map<String, Double> epochValues) {
    java.util.Objects.requireNonNull(epochValues, "epochValues");
    if (epochs > 0 && !values.keySet().equals(epochValues.keySet())) {
      throw new IllegalArgumentException("epoch " + (epochs + 1) + " records " + epochValues.keySet()
          + ", the earlier epochs " + values.keySet() + "; record the same names every epoch");
    }
    for (Map.Entry<String, Double> e : epochValues.entrySet()) {
      java.util.Objects.requireNonNull(e.getKey(), "a name");
      java.util.Objects.requireNonNull(e.getValue(), e.getKey());
    }
    record(epochValues);
  }

  void recordStop(int epoch) {
    stoppedEpoch = epoch;
  }

  void recordBest(int epoch, boolean weightsRestored) {
    bestEpoch = epoch;
    bestWeightsRestored = weightsRestored;
  }

  /**
   * The 1-based epoch after which a callback (such as EarlyStopping) stopped training; 0 when
   * training ran all its epochs. Equals {@link #epochs()} when non-zero.
   */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /**
   * The 1-based epoch with the best monitored value, as judged by the run's {@link
   * dev.kiln.runtime.training.EarlyStopping} callback (the one that stopped training, else the first
   * given); 0 without one, or when no epoch improved (every value NaN).
   */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Whether fit ended by putting back the parameters of {@link #bestEpoch()}. */
  public boolean bestWeightsRestored() {
    return bestWeightsRestored;
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
