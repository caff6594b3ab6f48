-- nothing but comments

/* and ; semicolons */ ;
;
