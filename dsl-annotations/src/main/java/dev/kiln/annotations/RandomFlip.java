package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Flips images [height, width, channels] at random in training (Keras's RandomFlip); identity at
 * inference, where it costs nothing. Each sample's flips are drawn from the model's noise seed and
 * the sample's position in the training stream, so a seed reproduces them whatever the batch size.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface RandomFlip {
  /** {@return which flips to draw; Keras's default, both} */
  FlipMode mode() default FlipMode.HORIZONTAL_AND_VERTICAL;
}
