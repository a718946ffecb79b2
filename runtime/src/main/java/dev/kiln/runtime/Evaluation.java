package dev.kiln.runtime;

import java.util.Map;

/**
 * Loss and accuracy over a data set, and the {@link Metrics} asked for.
 *
 * @param loss the mean loss
 * @param accuracy the accuracy the loss implies (see {@link Accuracy}), NaN for regression losses
 * @param metrics the further metrics by name ({@code precision}, {@code precision[3]}, {@code
 *     top_3_accuracy}, {@code auc}, {@code mae}), in the order asked for; empty when none were
 * @param confusion the confusion matrix (rows true classes, columns predicted) when {@link
 *     Metric#CONFUSION} was asked for, else null
 */
public record Evaluation(double loss, double accuracy, Map<String, Double> metrics, int[][] confusion) {
  public Evaluation {
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
  }

  public Evaluation(double loss, double accuracy) {
    this(loss, accuracy, Map.of(), null);
  }

  /**
   * A value by name: {@code loss}, {@code accuracy} or a key of {@link #metrics()} (so an
   * evaluation's metrics serve as monitors).
   *
   * @throws IllegalArgumentException naming the available values when there is no such value
   */
  public double metric(String name) {
    if (name.equals("loss")) {
      return loss;
    }
    if (name.equals("accuracy") && !metrics.containsKey("accuracy")) {
      return accuracy;
    }
    Double value = metrics.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no metric '" + name + "'; this evaluation has loss, accuracy"
          + (metrics.isEmpty() ? "" : ", " + String.join(", ", metrics.keySet())));
    }
    return value;
  }

  /** The confusion matrix as a table (see {@link Metrics#confusionTable}). */
  public String confusionTable() {
    if (confusion == null) {
      throw new IllegalStateException("no confusion matrix: evaluate with Metrics.of(Metric.CONFUSION)");
    }
    return Metrics.confusionTable(confusion);
  }
}
