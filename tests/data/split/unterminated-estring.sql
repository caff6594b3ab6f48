SELECT E'it\'s; not closed\';
