"""The seam score on images whose seams are known: made by hand, not by a model."""
import numpy as np
import pytest

from training.seams import chunk_start_columns, main, seam_score, worst_of


def smooth_noise(size: int, seed: int = 0) -> np.ndarray:
    """A sky-like gradient with mild noise: every token border steps by about the same."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(40, 200, size)[:, None, None] * np.ones((1, size, 3))
    return np.clip(ramp + rng.normal(0, 4, (size, size, 3)), 0, 255).astype(np.uint8)


def test_an_image_without_seams_scores_about_one():
    result = seam_score(smooth_noise(512))
    assert result["score"] == pytest.approx(1.0, abs=0.05)
    assert result["window_lines"] == 3 + 3  # x and y at 128, 256, 384


def test_a_step_on_the_window_lattice_raises_the_score():
    image = smooth_noise(512).astype(np.int16)
    image[:, 256:] += 12  # a vertical band boundary where two windows meet
    result = seam_score(np.clip(image, 0, 255).astype(np.uint8))
    assert result["vertical"] > 1.5
    assert result["horizontal"] == pytest.approx(1.0, abs=0.05)
    assert result["score"] > 1.15


def test_a_step_off_the_lattice_lowers_it_instead():
    image = smooth_noise(512).astype(np.int16)
    image[:, 200:] += 12  # a token border at 200 px (token 25), not a window border
    assert seam_score(np.clip(image, 0, 255).astype(np.uint8))["vertical"] < 1.0


def test_chunk_borders_are_reported_beside_the_lattice():
    image = smooth_noise(512).astype(np.int16)
    for x in range(64, 512, 128):  # steps at the chunk starts of stride 8 that the lattice skips
        image[:, x:] += 6
    chunks = chunk_start_columns(64, 8)
    result = seam_score(np.clip(image, 0, 255).astype(np.uint8), chunk_columns=chunks)
    assert result["chunk_vertical"] > 1.2


def test_band_borders_of_the_parallel_sampler_are_reported_as_chunk_rows():
    from training.parallel_schedule import parallel_spans

    image = smooth_noise(512).astype(np.int16)
    image[192:, :] += 12  # a horizontal edge where a band starts (token row 24), off the 128 px lattice
    bands = [span.start for span in parallel_spans(64, 16)]
    assert 24 in bands
    result = seam_score(np.clip(image, 0, 255).astype(np.uint8), chunk_rows=bands)
    assert result["horizontal"] < 1.0 and result["chunk_horizontal"] > 1.2
    assert worst_of([result]) == result["chunk_horizontal"]


def test_bad_images_are_refused():
    with pytest.raises(ValueError, match="uint8"):
        seam_score(np.zeros((64, 64, 3), np.float32))
    with pytest.raises(ValueError, match="whole number"):
        seam_score(np.zeros((60, 64, 3), np.uint8))


def test_the_worst_direction_is_what_gates():
    image = smooth_noise(512).astype(np.int16)
    image[:, 256:] += 10
    image = np.clip(image, 0, 255).astype(np.uint8)
    result = seam_score(image)
    assert worst_of([result]) == pytest.approx(result["vertical"])
    assert worst_of([result]) > result["score"]


@pytest.mark.parametrize("argv, message", [
    (["--bundle", "/nonexistent"], "not a model bundle"),
    (["--bundle", "assets/models/tessera-landscapes-v1", "--layouts", "0"], "at least 1"),
    (["--bundle", "assets/models/tessera-landscapes-v1", "--sizes", "500"], "multiple of 8"),
])
def test_bad_arguments_are_refused_with_what_to_do(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
