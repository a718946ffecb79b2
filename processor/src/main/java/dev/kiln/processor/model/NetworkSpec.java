package dev.kiln.processor.model;

import dev.kiln.annotations.Loss;
import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * A {@code @Network} declaration as read from source, before any checking. Every annotation value
 * is read here once; later stages never go back to the annotations.
 *
 * @param inputShape {@code @Network(input)}, empty when the network declares {@code @Input} layers
 * @param weights the {@code @Weights} resource, or null
 * @param weightsSite where {@code @Weights} is written (for diagnostics), or null
 * @param layers the declared layers in source order, {@code @Input} layers included
 */
public record NetworkSpec(
    TypeElement type, Site site, int[] inputShape, Loss loss, double labelSmoothing, boolean fromLogits, int maxBatch,
    OptimizerSpec optimizer, String weights, Site weightsSite, List<LayerSpec> layers) {
  /** The name layers use for the input declared by {@code @Network(input = ...)}. */
  public static final String IMPLICIT_INPUT = "input";

  public NetworkSpec {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** True when the network has no {@code @Input} layers and reads {@code @Network(input)}. */
  public boolean hasImplicitInput() {
    return layers.stream().noneMatch(LayerSpec::isInput);
  }
}
