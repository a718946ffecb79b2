package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.FillMode;
import dev.kiln.annotations.Interpolation;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @RandomTranslation}: shifts each image by a random fraction of its height and width in
 * training (Keras's RandomTranslation: shift = factor * size pixels, a positive one moving the
 * content down or right), identity at inference.
 */
public record RandomTranslationLayer(String name, Site site, List<String> inputs, double[] heightFactor,
    double[] widthFactor, FillMode fillMode, Interpolation interpolation, double fillValue) implements LayerSpec {
  public RandomTranslationLayer {
    inputs = List.copyOf(inputs);
    heightFactor = heightFactor.clone();
    widthFactor = widthFactor.clone();
  }

  static RandomTranslationLayer read(LayerDeclaration d) {
    RandomTranslation a = d.annotation(RandomTranslation.class);
    return new RandomTranslationLayer(d.name(), d.site(), d.inputs(), a.heightFactor(), a.widthFactor(), a.fillMode(),
        a.interpolation(), a.fillValue());
  }

  @Override
  public String typeName() {
    return "RandomTranslation";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    AffineAugmentation.checkFactor(diagnostics, site, "RandomTranslation", name, "heightFactor", heightFactor,
        "height");
    AffineAugmentation.checkFactor(diagnostics, site, "RandomTranslation", name, "widthFactor", widthFactor, "width");
    AffineAugmentation.checkFillValue(diagnostics, site, "RandomTranslation", name, fillValue);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return Windows.image(site, "RandomTranslation", name, in, diagnostics);
  }

  @Override
  public LayerEmitter emitter() {
    double[] height = AffineAugmentation.range(heightFactor);
    double[] width = AffineAugmentation.range(widthFactor);
    return AffineAugmentation.emitter("Translated", fillMode, interpolation, fillValue,
        (layer, image, transforms) -> CodeBlock.of("$T.drawTranslation(n, $L, $L, $L, $L, $L, $L, noise, $L, $L);\n",
            RuntimeNames.AUGMENTATION, image.dim(0), image.dim(1), height[0], height[1], width[0], width[1],
            layer.layerIndex(), transforms));
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
