"""What a lesson shows and asks: the view state, view files, storyboards and the quiz. numpy only."""
