package dev.kiln.processor.model;

import java.util.List;

/**
 * {@code @BatchNorm} (statistics over the batch, per feature, with moving averages for inference)
 * or {@code @LayerNorm} (statistics over the features, per sample).
 *
 * @param overBatch true for batch normalization, false for layer normalization
 * @param momentum weight of the old moving statistics (batch normalization only)
 */
public record NormalizationSpec(
    String name, Site site, List<String> inputs, boolean overBatch, double momentum, double epsilon,
    boolean center, boolean scale)
    implements LayerSpec {
  public NormalizationSpec {
    inputs = List.copyOf(inputs);
  }

  @Override
  public String typeName() {
    return overBatch ? "BatchNormalization" : "LayerNormalization";
  }
}
