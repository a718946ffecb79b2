package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Zooms images [height, width, channels] about their centre by a random amount in training
 * (Keras's RandomZoom); identity at inference, where it costs nothing. A factor is one value f,
 * for the range [-|f|, |f|], or two values {lower, upper}, each in [-1, 1]; the zoom is 1 + the
 * drawn value, so a positive value zooms out (the image shrinks) and a negative one zooms in.
 * Each sample's zoom is drawn from the model's noise seed and the sample's position in the
 * training stream, so a seed reproduces it whatever the batch size.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface RandomZoom {
  /** {@return the vertical zoom: f or {lower, upper}} */
  double[] heightFactor();

  /**
   * {@return the horizontal zoom: f or {lower, upper}; empty (the default) zooms both axes by the
   * same drawn value, keeping the aspect ratio}
   */
  double[] widthFactor() default {};

  /** {@return how points outside the image are filled; Keras's default, REFLECT} */
  FillMode fillMode() default FillMode.REFLECT;

  /** {@return how the image is sampled between pixels; Keras's default, BILINEAR} */
  Interpolation interpolation() default Interpolation.BILINEAR;

  /** {@return the value outside the image with {@link FillMode#CONSTANT}} */
  double fillValue() default 0;
}
