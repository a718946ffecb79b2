package dev.kiln.runtime;

import java.util.List;
import java.util.Objects;

/**
 * Several trained models of one network shape that predict together: the mean of their outputs
 * (probabilities, for classifiers), e.g. networks trained from different seeds.
 */
public final class Ensemble {
  private final List<Model> models;
  private final Metrics.Targets targets;

  private Ensemble(List<Model> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one model");
    }
    this.models = List.copyOf(models);
    Model first = this.models.get(0);
    this.targets = first.core().targets();
    for (Model m : this.models) {
      if (m.core().info().outputSize() != first.core().info().outputSize() || m.core().targets() != targets) {
        throw new IllegalArgumentException("ensemble members must have the same outputs and targets: "
            + first.core().info().name() + " and " + m.core().info().name() + " differ");
      }
    }
  }

  public static Ensemble of(List<? extends Model> models) {
    Objects.requireNonNull(models, "models");
    return new Ensemble(List.copyOf(models));
  }

  public static Ensemble of(Model... models) {
    return of(List.of(models));
  }

  public List<Model> models() {
    return models;
  }

  /** The mean of the members' predictions, averaged in double and rounded to float once. */
  public float[][] predict(float[][] x) {
    double[][] sum = null;
    for (Model model : models) {
      float[][] p = model.predict(x);
      if (sum == null) {
        sum = new double[p.length][p.length == 0 ? 0 : p[0].length];
      }
      for (int i = 0; i < p.length; i++) {
        for (int j = 0; j < p[i].length; j++) {
          sum[i][j] += p[i][j];
        }
      }
    }
    float[][] out = new float[sum.length][];
    for (int i = 0; i < sum.length; i++) {
      out[i] = new float[sum[i].length];
      for (int j = 0; j < sum[i].length; j++) {
        out[i][j] = (float) (sum[i][j] / models.size());
      }
    }
    return out;
  }

  /** {@code metrics} of the averaged predictions ({@link Metric#ACCURACY} for accuracy). */
  public Metrics.Result evaluate(float[][] x, float[][] y, Metrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    return metrics.compute(predict(x), y, targets);
  }
}
