package dev.kiln.runtime;

import java.util.Objects;

/**
 * One metric {@link Metrics} computes. Classification metrics use the class the network predicts
 * (argmax, or {@code p > 0.5} for a single sigmoid output, as accuracy does) and the classes
 * 0..C-1 of the output (2 for a single sigmoid output), as scikit-learn's with {@code
 * labels=range(C)}; a class never predicted has precision 0 (scikit-learn's {@code
 * zero_division=0}).
 *
 * <ul>
 *   <li>{@link #PRECISION}, {@link #RECALL}, {@link #F1}: per class ({@code precision[2]}) and their
 *       macro average ({@code precision}), as {@code classification_report}.
 *   <li>{@link #topK(int)}: the true class among the k highest scores ({@code top_3_accuracy});
 *       ties rank the higher class index first, as {@code top_k_accuracy_score}.
 *   <li>{@link #AUC}: area under the ROC curve ({@code roc_auc_score}), of the one output for a
 *       binary network, else one-vs-rest macro average over the classes; ties count one half.
 *   <li>{@link #CONFUSION}: the confusion matrix, rows the true class, columns the predicted one
 *       ({@link Evaluation#confusion()}).
 *   <li>{@link #MAE}: mean absolute error over all outputs (regression; any network).
 *   <li>{@link #ACCURACY}: the fraction of samples whose predicted class is the true one.
 * </ul>
 *
 * @param name the metric's key in {@link Evaluation#metrics()} (per-class values add {@code [c]})
 * @param k the k of top-k accuracy, 0 otherwise
 */
public record Metric(String name, int k) {
  public static final Metric ACCURACY = new Metric("accuracy", 0);
  public static final Metric PRECISION = new Metric("precision", 0);
  public static final Metric RECALL = new Metric("recall", 0);
  public static final Metric F1 = new Metric("f1", 0);
  public static final Metric AUC = new Metric("auc", 0);
  public static final Metric CONFUSION = new Metric("confusion", 0);
  public static final Metric MAE = new Metric("mae", 0);

  public Metric {
    Objects.requireNonNull(name, "name");
  }

  /** Top-k accuracy, named {@code top_<k>_accuracy}; k >= 1. */
  public static Metric topK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("top-k accuracy needs k >= 1, was " + k);
    }
    return new Metric("top_" + k + "_accuracy", k);
  }

  /** Same as {@link #topK(int)}, spelled as a constant. */
  public static Metric TOP_K(int k) { // NOPMD: named like the constants it sits with
    return topK(k);
  }

  /** Whether this metric needs class predictions (everything but MAE). */
  boolean classification() {
    return this != MAE && !name.equals("mae");
  }

  @Override
  public String toString() {
    return name;
  }
}
