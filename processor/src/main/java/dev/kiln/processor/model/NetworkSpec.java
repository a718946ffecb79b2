package dev.kiln.processor.model;

import dev.kiln.annotations.Loss;
import java.util.List;
import javax.lang.model.element.TypeElement;

/** A {@code @Network} declaration as read from source, before any checking. */
public record NetworkSpec(
    TypeElement type, Site site, int[] inputShape, Loss loss, double labelSmoothing, int maxBatch,
    OptimizerSpec optimizer,
    List<LayerSpec> layers) {
  public NetworkSpec {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }
}
