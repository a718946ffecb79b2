package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.FillMode;
import dev.kiln.annotations.Interpolation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @RandomZoom}: zooms each image about its centre by 1 + a random factor in training (Keras's
 * RandomZoom: a positive factor zooms out; without a width factor both axes take the height's
 * drawn zoom), identity at inference.
 *
 * @param widthFactor empty to keep the aspect ratio
 */
public record RandomZoomLayer(String name, Site site, List<String> inputs, double[] heightFactor,
    double[] widthFactor, FillMode fillMode, Interpolation interpolation, double fillValue) implements LayerSpec {
  public RandomZoomLayer {
    inputs = List.copyOf(inputs);
    heightFactor = heightFactor.clone();
    widthFactor = widthFactor.clone();
  }

  static RandomZoomLayer read(LayerDeclaration d) {
    RandomZoom a = d.annotation(RandomZoom.class);
    return new RandomZoomLayer(d.name(), d.site(), d.inputs(), a.heightFactor(), a.widthFactor(), a.fillMode(),
        a.interpolation(), a.fillValue());
  }

  @Override
  public String typeName() {
    return "RandomZoom";
  }

  private boolean keepsAspect() {
    return widthFactor.length == 0;
  }

  @Override
  public void check(Diagnostics diagnostics) {
    AffineAugmentation.checkFactor(diagnostics, site, "RandomZoom", name, "heightFactor", heightFactor, "height");
    if (!keepsAspect()) {
      AffineAugmentation.checkFactor(diagnostics, site, "RandomZoom", name, "widthFactor", widthFactor, "width");
    }
    AffineAugmentation.checkFillValue(diagnostics, site, "RandomZoom", name, fillValue);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return Windows.image(site, "RandomZoom", name, in, diagnostics);
  }

  @Override
  public LayerEmitter emitter() {
    double[] height = AffineAugmentation.range(heightFactor);
    double[] width = keepsAspect() ? height : AffineAugmentation.range(widthFactor);
    return AffineAugmentation.emitter("Zoomed", fillMode, interpolation, fillValue,
        (layer, image, transforms) -> CodeBlock.of(
            "$T.drawZoom(n, $L, $L, $L, $L, $L, $L, $L, noise, $L, $L);\n", RuntimeNames.AUGMENTATION, image.dim(0),
            image.dim(1), height[0], height[1], width[0], width[1], keepsAspect(), layer.layerIndex(), transforms));
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
